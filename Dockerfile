FROM python:3.13-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -r requirements.txt
RUN python manage.py collectstatic --noinput
EXPOSE 80
CMD ["gunicorn", "--bind=0.0.0.0:80", "--forwarded-allow-ips=*", "myapp.wsgi"]
