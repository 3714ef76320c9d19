/*
 * The uploads' list: "Copy link" puts the file's link on the clipboard (uploader/admin.py).
 */
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.copy-link");
  if (!button) return;
  const link = new URL(button.dataset.link, document.baseURI).href;
  try {
    await navigator.clipboard.writeText(link);
    button.textContent = "Copied";
  } catch {
    // No clipboard without a secure page or the user's leave: the link itself can be copied.
    button.textContent = "Copy the Open link instead";
  }
});
