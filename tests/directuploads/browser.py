"""What the Chromium tests of direct uploads share: the pages, files dropped or pasted as a
person does, and the rows' words."""

import base64

ADD = "/admin/uploader/uploadedfile/add/"
CHANGELIST = "/admin/uploader/uploadedfile/"
MiB = 1024 * 1024


def allow_origin(bucket, origin):
    bucket.client.put_bucket_cors(
        Bucket=bucket.name,
        CORSConfiguration={
            "CORSRules": [
                {"AllowedOrigins": [origin], "AllowedMethods": ["PUT"], "AllowedHeaders": ["*"]}
            ]
        },
    )


def choose_and_save(page, path):
    page.goto(ADD)
    page.set_input_files("input[name=file]", path)
    page.click("input[name=_save]")


def files_handle(page, paths):
    """Return a handle on a DataTransfer holding ``paths``, as a person drags or copies them.

    The files go through a file input of the test's own, outside the page's forms, as Playwright
    streams them from disk.
    """
    page.evaluate(
        """() => {
            const input = Object.assign(document.createElement("input"),
                {type: "file", multiple: true, id: "test-files"});
            input.hidden = true;
            document.body.append(input);
        }"""
    )
    page.set_input_files("#test-files", paths)
    return page.evaluate_handle(
        """() => {
            const input = document.getElementById("test-files");
            const transfer = new DataTransfer();
            [...input.files].forEach((file) => transfer.items.add(file));
            input.remove();
            return transfer;
        }"""
    )


def drop_files(page, selector, paths):
    """Drag ``paths`` over the element ``selector`` and drop them there."""
    transfer = files_handle(page, paths)
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event(selector, event, {"dataTransfer": transfer})


def paste_files(page, paths):
    """Paste ``paths`` in the page, as Ctrl+V after copying files."""
    transfer = files_handle(page, paths)
    page.evaluate(
        """(transfer) => document.activeElement.dispatchEvent(new ClipboardEvent("paste",
            {clipboardData: transfer, bubbles: true, cancelable: true}))""",
        transfer,
    )


def rows_text(page):
    """What each file's row says of it."""
    return page.locator(".direct-upload-file .direct-upload-state").all_inner_texts()


def fake_content(number):
    return base64.b64encode(number.to_bytes(4, "big")) * 10


def uploads_in(store):
    """What a store holds of the uploads: not what other apps keep beside them under the
    project's private names (a folder or file starting with a dot, myapp/storage/names.py)."""
    return {n for n in store.names() if not any(p.startswith(".") for p in n.split("/"))}
