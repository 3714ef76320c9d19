"""The admin's list of uploads as its pages show it."""

import re
from html import unescape

from django.utils.html import strip_tags


def result_rows(page):
    """The list's rows as {column: cell HTML}."""
    return [
        dict(re.findall(r'<t[hd] class="field-([\w_]+)[^"]*">(.*?)</t[hd]>', row))
        for row in re.findall(r"<tr>(.*?)</tr>", page.content.decode(), re.DOTALL)
        if 'class="field-name' in row
    ]


def shown_names(page):
    """The names of the uploads the list shows, in its order."""
    return [strip_tags(row["name"]) for row in result_rows(page)]


def shown_ids(page):
    """The ids of the uploads the list shows (its rows' checkboxes), in its order."""
    html = page.content.decode()
    return [int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', html)]


def filter_link(page, title):
    """The query string of the filter choice called ``title``, as the page links it."""
    return unescape(re.search(rf'<a href="\?([^"]*)"[^>]*>{title}</a>', page.content.decode())[1])


def result_count(page):
    """What the paginator says the list holds: "3 uploaded files", "about 1,000,000 uploaded
    files"."""
    paginator = re.search(r'class="paginator"[^>]*>(.*?)</(?:p|nav)>', page.content.decode(), re.S)
    text = " ".join(strip_tags(paginator[1]).split())
    return re.search(r"(?:about |more than )?[\d,]+ uploaded files?\b", text)[0]
