/*
 * Direct uploads (myapp/storage/direct.py): when a form with a direct-upload file input is
 * submitted, the chosen file goes from the browser straight to the bucket or container, in
 * parts, several at a time, with a progress bar and a way to cancel. The form then goes to the
 * server with the upload's token in place of the file. If the storage refuses this browser
 * (its CORS rules do not allow the site), the form is sent with the file, as without this script.
 */
"use strict";

(function () {
  const PARALLEL = 6; // parts in flight at once: the connections Chromium opens to one host
  const SIGNED_AT_ONCE = 100; // part URLs asked for in one request; a late part asks again
  const ATTEMPTS = 4; // for each part, with a pause doubling from a second
  const REFUSED = "myapp-direct-upload-refused"; // sessionStorage: the storage refused us once

  class Refused extends Error {}
  class Cancelled extends Error {}

  function csrfToken(form) {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  async function post(form, url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw Object.assign(new Error(answer.error || response.statusText), { fromServer: true });
    }
    return answer;
  }

  function put(url, blob, progress, signal) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("PUT", url);
      request.upload.onprogress = (event) => progress(event.loaded);
      request.onload = () =>
        request.status < 300 ? resolve() : reject(Object.assign(new Error(), { status: request.status }));
      // A refused CORS preflight looks the same as a network failure: status 0.
      request.onerror = () => reject(Object.assign(new Error(), { status: 0 }));
      request.onabort = () => reject(new Cancelled());
      signal.addEventListener("abort", () => request.abort());
      request.send(blob);
    });
  }

  const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

  function size(bytes) {
    // As Django's filesizeformat: powers of 1024, one decimal.
    const units = ["bytes", "KB", "MB", "GB", "TB"];
    let unit = 0;
    while (bytes >= 1024 && unit < units.length - 1) {
      bytes /= 1024;
      unit += 1;
    }
    return unit ? `${bytes.toFixed(1)} ${units[unit]}` : `${bytes} bytes`;
  }

  class Progress {
    constructor(widget, total) {
      this.box = widget.querySelector(".direct-upload-progress");
      this.bar = this.box.querySelector("progress");
      this.status = this.box.querySelector(".direct-upload-status");
      this.total = total;
      // Each part's bytes sent so far, and their sum, kept as they change.
      this.sent = new Map();
      this.sum = 0;
      this.started = performance.now();
      this.box.hidden = false;
      this.show();
    }

    part(number, bytes) {
      this.sum += bytes - (this.sent.get(number) || 0);
      this.sent.set(number, bytes);
      this.show();
    }

    show() {
      const sent = this.sum;
      const percent = this.total ? Math.floor((100 * sent) / this.total) : 100;
      const seconds = (performance.now() - this.started) / 1000;
      const left = sent && seconds > 1 ? Math.ceil(((this.total - sent) * seconds) / sent) : null;
      this.bar.value = percent;
      this.status.textContent =
        `${percent}% · ${size(sent)} of ${size(this.total)}` +
        (left === null ? "" : ` · ${left} s left`);
    }

    say(text) {
      this.status.textContent = text;
    }
  }

  class Upload {
    constructor(form, widget, file) {
      this.form = form;
      this.widget = widget;
      this.file = file;
      this.aborter = new AbortController();
      this.urls = new Map();
    }

    async run() {
      const start = await post(this.form, this.widget.dataset.startUrl, {
        name: this.file.name,
        size: this.file.size,
      });
      this.steps = start.urls;
      this.partSize = start.part_size;
      this.parts = start.parts;
      this.progress = new Progress(this.widget, this.file.size);
      const numbers = Array.from({ length: this.parts }, (_, index) => index + 1);
      try {
        // The first part alone: if the storage refuses this browser, nothing else is tried.
        await this.send(numbers.shift(), true);
        await Promise.all(Array.from({ length: PARALLEL }, () => this.sendEach(numbers)));
        return (await post(this.form, this.steps.complete, {})).token;
      } catch (error) {
        this.aborter.abort();
        await post(this.form, this.steps.abort, {}).catch(() => {});
        throw error;
      }
    }

    async sendEach(numbers) {
      while (numbers.length) {
        await this.send(numbers.shift(), false);
      }
    }

    async send(number, first) {
      const blob = this.file.slice((number - 1) * this.partSize, number * this.partSize);
      for (let attempt = 1; ; attempt += 1) {
        if (this.aborter.signal.aborted) throw new Cancelled();
        const url = await this.url(number, attempt > 1);
        try {
          await put(url, blob, (bytes) => this.progress.part(number, bytes), this.aborter.signal);
          this.progress.part(number, blob.size);
          return;
        } catch (error) {
          if (error instanceof Cancelled) throw error;
          if (first && attempt === 1 && error.status === 0) throw new Refused();
          if (attempt === ATTEMPTS) throw new Error(`part ${number} could not be sent`);
          this.progress.part(number, 0);
          await sleep(2 ** (attempt - 1));
        }
      }
    }

    async url(number, fresh) {
      // Signed in batches as the upload goes, for minutes each: a slow upload asks again. The
      // parts that reach the end of a batch together wait for one request, not one each.
      if (fresh) this.urls.delete(number);
      while (!this.urls.has(number)) {
        this.signing = this.signing || this.sign(number).finally(() => (this.signing = null));
        await this.signing;
      }
      return this.urls.get(number);
    }

    async sign(first) {
      const batch = Array.from({ length: SIGNED_AT_ONCE }, (_, index) => first + index);
      const { urls } = await post(this.form, this.steps.parts, {
        parts: batch.filter((n) => n <= this.parts && !this.urls.has(n)),
      });
      Object.entries(urls).forEach(([n, url]) => this.urls.set(Number(n), url));
    }
  }

  function error(widget, text) {
    let list = widget.parentElement.querySelector("ul.errorlist.direct-upload-errors");
    if (!list) {
      list = document.createElement("ul");
      list.className = "errorlist direct-upload-errors";
      widget.parentElement.insertBefore(list, widget);
    }
    list.replaceChildren(Object.assign(document.createElement("li"), { textContent: text }));
  }

  function submitAgain(form, submitter) {
    // form.submit() sends no button: name the one that was clicked (Save, Save and continue...).
    if (submitter && submitter.name) {
      const button = Object.assign(document.createElement("input"), {
        type: "hidden",
        name: submitter.name,
        value: submitter.value,
      });
      form.appendChild(button);
    }
    form.submit();
  }

  async function uploadAndSubmit(form, widgets, submitter) {
    const buttons = form.querySelectorAll("input[type=submit], button[type=submit]");
    buttons.forEach((button) => (button.disabled = true));
    try {
      for (const widget of widgets) {
        const input = widget.querySelector("input[type=file]");
        const upload = new Upload(form, widget, input.files[0]);
        widget.querySelector(".direct-upload-cancel").onclick = () => upload.aborter.abort();
        widget.querySelector(".direct-upload-token").value = await upload.run();
        upload.progress.say(`${size(input.files[0].size)} sent.`);
        input.value = ""; // the file is in the storage: the form goes without it
      }
      submitAgain(form, submitter);
    } catch (failure) {
      buttons.forEach((button) => (button.disabled = false));
      if (failure instanceof Refused) {
        sessionStorage.setItem(REFUSED, "1");
        submitAgain(form, submitter); // through the server, as without this script
      } else if (failure instanceof Cancelled) {
        widgets.forEach((widget) => (widget.querySelector(".direct-upload-progress").hidden = true));
      } else {
        error(widgets[0], failure.fromServer ? failure.message : `The upload failed: ${failure.message}`);
      }
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (sessionStorage.getItem(REFUSED)) return;
    // An empty file has no part to send: it goes with the form.
    const widgets = [...form.querySelectorAll(".direct-upload[data-start-url]")].filter(
      (widget) => (widget.querySelector("input[type=file]").files[0] || {}).size > 0,
    );
    if (!widgets.length) return;
    event.preventDefault();
    uploadAndSubmit(form, widgets, event.submitter);
  });
})();
