/*
 * Direct uploads (directuploads/storages.py, docs/directuploads.md): files chosen, dropped or
 * pasted in the admin go from the browser straight to the bucket or container, in parts, each
 * part with a checksum the storage verifies, several parts and files at a time, each file a row
 * of its own with its progress and a Cancel; the form is then saved once per file with the
 * upload's token in place of the file. Where the server says the storage refuses this page
 * (its CORS rules), or with file storage, each file goes through the server, still with its
 * progress. A file chosen again after a reload or a closed tab resumes its unfinished upload.
 *
 * One classic script, no build. Under Node (tests/directuploads/js, `node --test`) it hands its
 * logic to the tests through module.exports; the page's wiring runs only where there is a page.
 */
"use strict";

(function () {
  const MiB = 1024 * 1024;
  const PARALLEL = 6; // parts in flight at once, all files together: Chromium's connections to a host
  const FILES_AT_ONCE = 3; // files being started, sent or saved at once
  const SIGNED_AT_ONCE = 8; // parts signed in one request, their checksums computed ahead
  const SIGNED_FRESH_FOR = 5 * 60 * 1000; // a part URL is used within this (the server signs for 10 min)
  const ATTEMPTS = 4; // for each part or request, with a pause doubling from a second
  const IN_FLIGHT_SHARE = 0.05; // a file's parts in flight: what a reload or a drop loses
  const ANNOUNCED_EVERY = 10; // percent: how often the progress is said to a screen reader
  const FINGERPRINT_BYTES = MiB; // of the start and of the end of a file, for resuming it
  // Requests to the web server: one at a time from a page, so that twenty files hold one of
  // its threads, not twenty. They are small and quick but for a file sent through the server.
  const SERVER_AT_ONCE = 1;

  class Cancelled extends Error {}
  // A request that got no answer at all: the network (XMLHttpRequest's and fetch's status 0).
  class NetworkFailure extends Error {
    constructor() {
      super("no answer");
      this.status = 0;
    }
  }
  // A failure an editor reads as it is.
  class Failed extends Error {}

  // MD5 (RFC 1321) for the checksum of an Azure block (Content-MD5), which the service verifies.
  // Written here because the browser's SubtleCrypto has no MD5 (nor CRC64, Azure's other);
  // tests/directuploads/js/checksums.test.js compares it with Node's crypto on random inputs.
  const MD5_SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const MD5_SINES = Array.from({ length: 64 }, (_, i) =>
    Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32),
  );

  class Md5 {
    constructor() {
      this.state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
      this.buffer = new Uint8Array(64);
      this.buffered = 0;
      this.length = 0;
      this.words = new Int32Array(16);
    }

    update(bytes) {
      this.length += bytes.length;
      let offset = 0;
      if (this.buffered) {
        offset = Math.min(64 - this.buffered, bytes.length);
        this.buffer.set(bytes.subarray(0, offset), this.buffered);
        this.buffered += offset;
        if (this.buffered < 64) return this;
        this.block(this.buffer, 0);
        this.buffered = 0;
      }
      for (; offset + 64 <= bytes.length; offset += 64) this.block(bytes, offset);
      this.buffer.set(bytes.subarray(offset));
      this.buffered = bytes.length - offset;
      return this;
    }

    block(bytes, offset) {
      const x = this.words;
      for (let i = 0; i < 16; i += 1) {
        const at = offset + i * 4;
        x[i] = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
      }
      let [a, b, c, d] = this.state;
      for (let i = 0; i < 64; i += 1) {
        let f, g;
        if (i < 16) {
          f = (b & c) | (~b & d);
          g = i;
        } else if (i < 32) {
          f = (d & b) | (~d & c);
          g = (5 * i + 1) & 15;
        } else if (i < 48) {
          f = b ^ c ^ d;
          g = (3 * i + 5) & 15;
        } else {
          f = c ^ (b | ~d);
          g = (7 * i) & 15;
        }
        const shift = MD5_SHIFTS[(i >> 4) * 4 + (i & 3)];
        const sum = (a + f + MD5_SINES[i] + x[g]) | 0;
        a = d;
        d = c;
        c = b;
        b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
      }
      const state = this.state;
      state[0] = (state[0] + a) | 0;
      state[1] = (state[1] + b) | 0;
      state[2] = (state[2] + c) | 0;
      state[3] = (state[3] + d) | 0;
    }

    digest() {
      const bits = this.length * 8;
      const padding = new Uint8Array((this.buffered < 56 ? 56 : 120) - this.buffered + 8);
      padding[0] = 0x80;
      const view = new DataView(padding.buffer);
      view.setUint32(padding.length - 8, bits >>> 0, true);
      view.setUint32(padding.length - 4, Math.floor(bits / 2 ** 32), true);
      this.update(padding);
      const out = new DataView(new ArrayBuffer(16));
      this.state.forEach((word, i) => out.setInt32(i * 4, word, true));
      return new Uint8Array(out.buffer);
    }
  }

  function base64(bytes) {
    let text = "";
    for (let i = 0; i < bytes.length; i += 1) text += String.fromCharCode(bytes[i]);
    return btoa(text);
  }

  const pause0 = () => new Promise((resolve) => setTimeout(resolve, 0));

  // The checksum the storage verifies a part against, in base64: SHA-256 (S3) or MD5 (Azure),
  // of a Blob or of bytes read already. MD5 goes a MiB at a time, letting the page breathe.
  async function checksum(algorithm, data) {
    if (!algorithm) return null;
    const bytes = new Uint8Array(data instanceof Blob ? await data.arrayBuffer() : data);
    if (algorithm === "sha256") {
      return base64(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
    }
    const md5 = new Md5();
    for (let offset = 0; offset < bytes.length; offset += MiB) {
      md5.update(bytes.subarray(offset, offset + MiB));
      await pause0();
    }
    return base64(md5.digest());
  }

  // What names a file's content when it is chosen again: the SHA-256 of its first and last MiB.
  function fingerprint(file) {
    const end = Math.max(FINGERPRINT_BYTES, file.size - FINGERPRINT_BYTES);
    return checksum("sha256", new Blob([file.slice(0, FINGERPRINT_BYTES), file.slice(end)]));
  }

  function csrfToken(form) {
    return form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  async function post(url, body, csrf, fetcher = fetch) {
    let response;
    try {
      response = await fetcher(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
      });
    } catch {
      throw new NetworkFailure();
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const text = answer.error || `The server answered ${response.status} ${response.statusText}.`;
      throw Object.assign(new Failed(text.trim()), { fromServer: true, status: response.status });
    }
    return answer;
  }

  function put(url, blob, headers, progress, signal, Request = XMLHttpRequest) {
    return new Promise((resolve, reject) => {
      const request = new Request();
      request.open("PUT", url);
      Object.entries(headers || {}).forEach(([name, value]) =>
        request.setRequestHeader(name, value),
      );
      request.upload.onprogress = (event) => progress(event.loaded);
      request.onload = () =>
        request.status < 300
          ? resolve()
          : reject(
              Object.assign(new Error(`status ${request.status}`), { status: request.status }),
            );
      // No answer at all: the network failed (the server checked the CORS rules at the start).
      request.onerror = () => reject(new NetworkFailure());
      request.onabort = () => reject(new Cancelled());
      if (signal.aborted) return reject(new Cancelled());
      signal.addEventListener("abort", () => request.abort());
      request.send(blob);
    });
  }

  // The add form posted with one file, as the form would post it, for the bytes sent as they go.
  // The admin answers a saved form 204, with where it would have gone.
  function send(url, data, progress, signal, Request = XMLHttpRequest) {
    return new Promise((resolve, reject) => {
      const request = new Request();
      request.open("POST", url);
      request.setRequestHeader("X-Direct-Upload", "save");
      request.upload.onprogress = (event) => progress(event.loaded, event.total);
      request.onload = () =>
        resolve({
          status: request.status,
          location: request.getResponseHeader("X-Direct-Upload-Location"),
          text: request.responseText,
        });
      request.onerror = () => reject(new NetworkFailure());
      request.onabort = () => reject(new Cancelled());
      if (signal.aborted) return reject(new Cancelled());
      signal.addEventListener("abort", () => request.abort());
      request.send(data);
    });
  }

  const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

  // The pause before attempt `attempt + 1`, in seconds: 1, 2, 4...
  const pause = (attempt) => 2 ** (attempt - 1);

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

  // What a bar shows when `sent` bytes of `total` went in `seconds`: the percent, and the seconds
  // left at the pace so far (none before a byte is sent, nor in the first second).
  function report(sent, total, seconds) {
    const percent = total ? Math.floor((100 * sent) / total) : 100;
    const left = sent && seconds > 1 ? Math.ceil(((total - sent) * seconds) / sent) : null;
    const text =
      `${percent}% · ${size(sent)} of ${size(total)}` + (left === null ? "" : ` · ${left} s left`);
    return { percent, left, text };
  }

  // Each part's bytes sent so far, and their sum, kept as they change; `now` in milliseconds.
  // Bytes found in the storage already (a resumed upload) count as sent, not in the pace.
  class Tally {
    constructor(total, now) {
      this.total = total;
      this.now = now;
      this.sent = new Map();
      this.sum = 0;
      this.already = 0;
      this.started = now();
    }

    part(number, bytes) {
      this.sum += bytes - (this.sent.get(number) || 0);
      this.sent.set(number, bytes);
    }

    found(number, bytes) {
      this.part(number, bytes);
      this.already += bytes;
    }

    report() {
      const seconds = (this.now() - this.started) / 1000;
      const { percent, left } = report(this.sum - this.already, this.total - this.already, seconds);
      const shown = report(this.sum, this.total, 0);
      return {
        percent: this.total ? Math.floor((100 * this.sum) / this.total) : percent,
        left,
        text: shown.text + (left === null ? "" : ` · ${left} s left`),
      };
    }
  }

  // At most `size` at once: take() waits for a place, give() frees it.
  class Pool {
    constructor(places) {
      this.free = places;
      this.waiting = [];
    }

    async take() {
      if (this.free > 0) {
        this.free -= 1;
        return;
      }
      await new Promise((resolve) => this.waiting.push(resolve));
    }

    give() {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }

    async with(work) {
      await this.take();
      try {
        return await work();
      } finally {
        this.give();
      }
    }
  }

  // The parts' numbers, from 1.
  const partNumbers = (parts) => Array.from({ length: parts }, (_, index) => index + 1);

  // Where part `number` lies in a file of `fileSize` bytes cut in parts of `partSize`: its first
  // byte and the one after its last. The last part is shorter; an empty file's one part is empty.
  function partRange(number, partSize, fileSize) {
    return [Math.min((number - 1) * partSize, fileSize), Math.min(number * partSize, fileSize)];
  }

  // How many parts of a file go at once: what a reload or a dropped connection loses is what is
  // in flight, so at most a twentieth of the file, but two parts at least and PARALLEL at most.
  function inFlight(fileSize, partSize) {
    const share = Math.floor((fileSize * IN_FLIGHT_SHARE) / partSize);
    return Math.max(2, Math.min(PARALLEL, share));
  }

  // One file's upload straight to the storage: started on the server (or resumed), its parts'
  // checksums computed and signed ahead, the parts sent, then completed. `io` is all it does
  // outside itself (the page's: pageIO): post(url, body), put(url, blob, headers, progress,
  // signal), sleep(seconds), checksum(algorithm, blob), fingerprint(file), online(),
  // whenOnline(), progress(total) (a Tally), say(state, detail) and the shared `pool` of parts
  // in flight.
  class Upload {
    constructor(file, startUrl, io) {
      this.file = file;
      this.startUrl = startUrl;
      this.io = io;
      this.aborter = new AbortController();
      this.urls = new Map(); // number: {url, headers, at}
      this.sums = new Map(); // number: the checksum's promise
      this.hashing = Promise.resolve(); // checksums one at a time: one part in memory
      this.wanted = new Set(); // parts waiting for their URL
      this.signing = null;
      this.started = false;
    }

    // The upload's token; null where the storage refuses this page: the file goes through the
    // server instead.
    async run() {
      const start = await this.request(async () =>
        this.io.post(this.startUrl, {
          name: this.file.name,
          size: this.file.size,
          last_modified: Math.max(0, Math.floor(this.file.lastModified || 0)),
          fingerprint: await this.io.fingerprint(this.file),
        }),
      );
      if (start.direct === false) return null;
      this.started = true;
      this.steps = start.urls;
      this.partSize = start.part_size;
      this.parts = start.parts;
      this.algorithm = start.checksum || null;
      this.progress = this.io.progress(this.file.size);
      try {
        const missing = await this.missing(start.received || []);
        this.queue = missing.slice();
        this.io.say("sending");
        const workers = Math.min(inFlight(this.file.size, this.partSize), missing.length);
        await Promise.all(Array.from({ length: workers }, () => this.sendEach()));
        const { token } = await this.request(() => this.io.post(this.steps.complete, {}));
        return token;
      } catch (error) {
        this.aborter.abort();
        // A network failure leaves the upload to be resumed; anything else ends it.
        if (!(error instanceof NetworkFailure) && !error.resumable) {
          await this.io.post(this.steps.abort, {}).catch(() => {});
        }
        throw error;
      }
    }

    // The parts to send: all but those the storage holds already with the same bytes (the
    // size, and the checksum computed again from the file).
    async missing(received) {
      const held = new Set();
      if (received.length) this.io.say("checking");
      for (const part of received) {
        const [from, to] = this.range(part.number);
        if (part.size !== to - from || part.number > this.parts) continue;
        if (this.algorithm && part.checksum !== (await this.checksum(part.number))) {
          continue;
        }
        held.add(part.number);
        this.progress.found(part.number, part.size);
      }
      return partNumbers(this.parts).filter((number) => !held.has(number));
    }

    range(number) {
      return partRange(number, this.partSize, this.file.size);
    }

    checksum(number) {
      if (!this.algorithm) return Promise.resolve(null);
      if (!this.sums.has(number)) {
        // Read for its checksum, and again when it is sent: an ArrayBuffer sent by
        // XMLHttpRequest took Chromium several times longer than the file's own slice in the
        // benchmark (bench/direct.py).
        const blob = this.file.slice(...this.range(number));
        const sum = this.hashing.then(() => this.io.checksum(this.algorithm, blob));
        this.hashing = sum.catch(() => {});
        this.sums.set(number, sum);
      }
      return this.sums.get(number);
    }

    async sendEach() {
      while (this.queue.length) {
        const number = this.queue.shift();
        await this.io.pool.with(() => this.send(number));
      }
    }

    async send(number) {
      const [from, to] = this.range(number);
      for (let attempt = 1; ;) {
        if (this.aborter.signal.aborted) throw new Cancelled();
        const { url, headers } = await this.url(number, attempt > 1);
        try {
          await this.io.put(
            url,
            this.file.slice(from, to),
            headers,
            (bytes) => this.progress.part(number, bytes),
            this.aborter.signal,
          );
          this.progress.part(number, to - from);
          this.io.say("sending");
          return;
        } catch (error) {
          if (error instanceof Cancelled) throw error;
          this.progress.part(number, 0);
          if (error instanceof NetworkFailure && !this.io.online()) {
            // Offline: the part waits for the network, and spends no attempt.
            this.io.say("offline");
            await this.io.whenOnline();
            this.io.say("sending");
            continue;
          }
          if (attempt === ATTEMPTS) {
            if (error instanceof NetworkFailure) {
              throw Object.assign(
                new Failed(
                  "The storage could not be reached. Choose the file again to go on from where it stopped.",
                ),
                { resumable: true },
              );
            }
            throw new Failed(`The storage refused part ${number} of the file ${ATTEMPTS} times.`);
          }
          this.io.say("retrying", `part ${number}, in ${pause(attempt)} s`);
          await this.io.sleep(pause(attempt));
          attempt += 1;
        }
      }
    }

    // The URL and headers of a part, signed with its checksum. Checksums are computed and parts
    // signed SIGNED_AT_ONCE at a time, the next batch as soon as one is taken, so that no part
    // waits for its own; a part tried again, or signed long ago, is signed again.
    async url(number, fresh) {
      const signed = this.urls.get(number);
      if (fresh || (signed && this.io.now() - signed.at > SIGNED_FRESH_FOR)) {
        this.urls.delete(number);
      }
      this.wanted.add(number);
      try {
        while (!this.urls.has(number)) {
          this.signing =
            this.signing || this.sign(this.batch()).finally(() => (this.signing = null));
          await this.signing;
        }
      } finally {
        this.wanted.delete(number);
      }
      this.ahead();
      return this.urls.get(number);
    }

    // The parts to sign now: those waiting for their URL, then the next ones to send, none
    // signed already.
    batch() {
      const wanted = [...this.wanted].filter((n) => !this.urls.has(n));
      const next = this.queue.filter((n) => !this.urls.has(n) && !this.wanted.has(n));
      return [...wanted, ...next].slice(0, Math.max(SIGNED_AT_ONCE, wanted.length));
    }

    // Sign the next batch now, while the parts signed go, unless enough wait already.
    ahead() {
      const waiting = this.queue.filter((n) => this.urls.has(n)).length;
      if (this.signing || waiting >= SIGNED_AT_ONCE || !this.queue.length) return;
      const next = this.queue.filter((n) => !this.urls.has(n)).slice(0, SIGNED_AT_ONCE);
      if (!next.length) return;
      this.signing = this.sign(next)
        .catch(() => {}) // a part that needs its URL asks again, and meets the failure
        .finally(() => (this.signing = null));
    }

    async sign(numbers) {
      const parts = await Promise.all(
        numbers.map(async (number) =>
          this.algorithm ? { number, [this.algorithm]: await this.checksum(number) } : number,
        ),
      );
      const { urls, headers } = await this.request(() => this.io.post(this.steps.parts, { parts }));
      const at = this.io.now();
      Object.entries(urls).forEach(([n, url]) =>
        this.urls.set(Number(n), { url, headers: (headers || {})[n] || {}, at }),
      );
    }

    // A request to the server, tried again while the network fails, waiting while offline.
    async request(make) {
      for (let attempt = 1; ;) {
        if (this.aborter.signal.aborted) throw new Cancelled();
        try {
          return await make();
        } catch (error) {
          if (!(error instanceof NetworkFailure)) throw error;
          if (!this.io.online()) {
            this.io.say("offline");
            await this.io.whenOnline();
            continue;
          }
          if (attempt === ATTEMPTS) {
            throw Object.assign(
              new Failed("The server could not be reached. Check the connection and try again."),
              { resumable: true },
            );
          }
          await this.io.sleep(pause(attempt));
          attempt += 1;
        }
      }
    }
  }

  // The words each state is said in, in a file's row and to a screen reader.
  const STATES = {
    waiting: "Waiting",
    checking: "Checking what the storage has already",
    sending: "Sending",
    server: "Sending through the server",
    offline: "Waiting for the network",
    retrying: "Retrying",
    saving: "Saving",
    saved: "Saved",
    cancelled: "Cancelled",
    failed: "Failed",
    refused: "Refused",
  };

  // What the errors of an admin page returned for a file say: each field's own, its label first
  // unless it is the file's field, and the messages of errors.
  function pageErrors(html, field, parser = new DOMParser()) {
    const page = parser.parseFromString(html, "text/html");
    const said = [];
    page.querySelectorAll(".form-row").forEach((row) => {
      const errors = [...row.querySelectorAll(".errorlist li")].map((li) => li.textContent.trim());
      if (!errors.length) return;
      const label = row.querySelector("label");
      const own = row.classList.contains(`field-${field}`) || !label;
      const name = label ? label.textContent.replace(/:\s*$/, "").trim() : "";
      errors.forEach((error) => said.push(own ? error : `${name}: ${error}`));
    });
    page
      .querySelectorAll(".errorlist.nonfield li, .messagelist .error")
      .forEach((li) => said.push(li.textContent.trim()));
    return said;
  }

  // A file chosen, in its row: its state in words, its progress, its Cancel.
  class Row {
    constructor(widget, file) {
      this.widget = widget;
      this.file = file;
      this.aborter = new AbortController();
      this.element = document.createElement("li");
      this.element.className = "direct-upload-file";
      const name = Object.assign(document.createElement("span"), {
        className: "direct-upload-name",
        textContent: file.name,
      });
      const bytes = Object.assign(document.createElement("span"), {
        className: "direct-upload-size",
        textContent: size(file.size),
      });
      this.bar = Object.assign(document.createElement("progress"), { max: 100, value: 0 });
      this.bar.setAttribute("aria-label", `Progress of ${file.name}`);
      this.bar.hidden = true;
      this.state = Object.assign(document.createElement("span"), {
        className: "direct-upload-state",
      });
      this.cancel = Object.assign(document.createElement("button"), {
        type: "button",
        className: "button direct-upload-cancel-file",
        textContent: "Cancel",
      });
      this.cancel.setAttribute("aria-label", `Cancel ${file.name}`);
      this.cancel.hidden = true;
      this.cancel.addEventListener("click", () => this.widget.cancel(this));
      this.element.append(name, bytes, this.bar, this.state, this.cancel);
      this.say("waiting");
    }

    say(state, detail) {
      this.current = state;
      this.element.dataset.state = state;
      this.state.textContent = STATES[state] + (detail ? `: ${detail}` : "");
    }

    show(tally, through) {
      const { percent, text } = tally.report();
      this.bar.hidden = false;
      this.bar.value = percent;
      if (["sending", "server"].includes(this.current) || !this.current) {
        this.say(through ? "server" : "sending", text);
      }
      this.widget.progressed();
    }

    get sent() {
      return this.tally ? this.tally.sum : 0;
    }

    get done() {
      return ["saved", "cancelled", "failed", "refused"].includes(this.current);
    }
  }

  // A file input of the admin with direct uploads, its drop zone, its rows and its form.
  class Widget {
    constructor(element) {
      this.element = element;
      this.input = element.querySelector("input[type=file]");
      this.token = element.querySelector(".direct-upload-token");
      this.form = element.closest("form");
      this.list = element.querySelector(".direct-upload-files");
      this.overall = element.querySelector(".direct-upload-progress");
      this.overallBar = this.overall.querySelector("progress");
      this.summary = this.overall.querySelector(".direct-upload-summary");
      this.status = element.querySelector(".direct-upload-status");
      this.alert = element.querySelector(".direct-upload-alert");
      this.several = element.classList.contains("direct-upload-several");
      this.onList = this.form.classList.contains("direct-upload-list");
      this.startUrl = element.dataset.startUrl;
      this.checkUrl = element.dataset.checkUrl;
      this.field = element.dataset.name;
      this.rows = [];
      this.announced = -1;
      this.files = new Pool(FILES_AT_ONCE);
      this.parts = new Pool(PARALLEL);
      this.server = new Pool(SERVER_AT_ONCE);
      element.querySelectorAll("[data-script-only]").forEach((node) => (node.hidden = false));
      element.querySelectorAll("[data-no-script]").forEach((node) => (node.hidden = true));
      this.input.addEventListener("change", () => this.choose([...this.input.files], true));
      this.overall
        .querySelector(".direct-upload-cancel")
        .addEventListener("click", () => this.cancelAll());
      const zone = element.querySelector(".direct-upload-zone");
      if (this.several && zone) {
        zone.addEventListener("dragover", (event) => {
          event.preventDefault();
          zone.classList.add("direct-upload-over");
        });
        zone.addEventListener("dragleave", () => zone.classList.remove("direct-upload-over"));
        zone.addEventListener("drop", (event) => {
          event.preventDefault();
          zone.classList.remove("direct-upload-over");
          if (!this.input.disabled) this.choose([...event.dataTransfer.files], false);
        });
      }
    }

    // Files chosen (`replacing` those chosen before, as a file input does), dropped or pasted:
    // a row each, checked at once; on the list they go at once, on a form when it is saved.
    async choose(files, replacing) {
      if (!files.length) return;
      if (!this.several) files = files.slice(0, 1);
      if (replacing || !this.several) {
        this.rows.filter((row) => !row.upload && !row.busy).forEach((row) => this.remove(row));
      }
      const rows = files.map((file) => new Row(this, file));
      rows.forEach((row) => {
        this.rows.push(row);
        this.list.append(row.element);
      });
      this.list.hidden = false;
      this.clearErrors();
      await this.check(rows);
      const refused = rows.filter((row) => row.current === "refused");
      if (refused.length) {
        this.showErrors(refused.map((row) => row.reason));
        this.announce(refused.map((row) => `${row.file.name}: ${row.reason}`).join(" "), true);
      }
      if (this.onList) this.go(rows.filter((row) => row.current !== "refused"));
      else this.say(`${this.pending().length} file(s) chosen.`);
    }

    remove(row) {
      row.element.remove();
      this.rows.splice(this.rows.indexOf(row), 1);
    }

    pending() {
      return this.rows.filter((row) => row.current === "waiting");
    }

    // Empty files, and what the form's validators refuse (a file over the size limit), refused
    // as soon as they are chosen.
    async check(rows) {
      rows
        .filter((row) => !row.file.size)
        .forEach((row) => this.refuse(row, `${row.file.name} is empty.`));
      const asked = rows.filter((row) => row.file.size);
      if (!asked.length || !this.checkUrl) return;
      try {
        const { errors } = await this.post(this.checkUrl, {
          files: asked.map((row) => ({ name: row.file.name, size: row.file.size })),
        });
        asked.forEach((row, index) => errors[index] && this.refuse(row, errors[index]));
      } catch {
        // Unchecked here, the file is checked again when it is sent, and when it is saved.
      }
    }

    refuse(row, reason) {
      row.reason = reason;
      row.say("refused", reason);
    }

    // The form is saved: its files go, one form each; one file of a single file input goes as
    // the form did without the script, the form then sent with its token.
    submit(event) {
      const rows = this.pending();
      const refused = this.rows.filter((row) => row.current === "refused");
      if (!rows.length) {
        if (refused.length) {
          // Refused already: the form would be refused too.
          event.preventDefault();
          this.showErrors(refused.map((row) => row.reason));
          this.input.focus();
        }
        return;
      }
      event.preventDefault();
      this.submitter = event.submitter;
      this.go(rows);
    }

    async go(rows) {
      if (!rows.length) return;
      this.busy(true);
      rows.forEach((row) => {
        row.busy = true;
        row.cancel.hidden = false;
      });
      this.clearErrors();
      this.announced = -1;
      this.overall.hidden = this.rows.length < 2;
      // One file of a form goes as the form did without the script.
      this.one = !this.onList && rows.length === 1;
      this.progressed();
      if (!this.onList) (rows.length > 1 ? this.overallCancel() : rows[0].cancel).focus();
      await Promise.all(rows.map((row) => this.files.with(() => this.upload(row, this.one))));
      this.finished(rows);
    }

    overallCancel() {
      return this.overall.querySelector(".direct-upload-cancel");
    }

    // One file: straight to the storage, else through the server; then its own form saved.
    async upload(row, single) {
      try {
        if (row.aborter.signal.aborted) throw new Cancelled();
        let token = null;
        if (this.startUrl) {
          row.say("sending");
          const upload = new Upload(row.file, this.startUrl, this.io(row));
          row.upload = upload;
          row.aborter.signal.addEventListener("abort", () => upload.aborter.abort());
          token = await upload.run();
        }
        if (token && single) {
          // As without the script: the form goes with the token in place of the file.
          this.token.value = token;
          this.input.value = "";
          row.say("saving");
          this.submitAgain();
          return;
        }
        await this.save(row, token);
      } catch (error) {
        if (error instanceof Cancelled || row.aborter.signal.aborted) {
          row.say("cancelled");
          row.bar.hidden = true;
        } else {
          const reason =
            error instanceof Failed
              ? error.message
              : error instanceof NetworkFailure
                ? "The connection failed. Try again."
                : "Something went wrong in this page. Try again.";
          this.fail(row, reason);
        }
      } finally {
        row.busy = false;
        row.cancel.hidden = true;
        this.progressed();
      }
    }

    // The form saved with this one file: its token, or the file itself (through the server).
    async save(row, token) {
      const data = new FormData(this.form);
      data.delete(this.field);
      data.delete(this.token.name);
      for (const name of ["_save", "_continue", "_addanother", "_saveasnew"]) data.delete(name);
      const button = this.submitter && this.submitter.name ? this.submitter : null;
      const keep = button && this.one;
      data.set(keep ? button.name : "_save", keep ? button.value : "Save");
      if (token) data.set(this.token.name, token);
      else data.set(this.field, row.file, row.file.name);
      const through = !token;
      if (through) {
        row.tally = new Tally(row.file.size, () => performance.now());
        row.say("server");
      } else row.say("saving");
      let answer;
      for (let attempt = 1; ; attempt += 1) {
        try {
          answer = await this.server.with(() =>
            send(
              this.form.action || location.href,
              data,
              (loaded, total) => {
                if (!through) return;
                row.tally.part(
                  1,
                  Math.min(row.file.size, Math.round((loaded * row.file.size) / total)),
                );
                row.show(row.tally, true);
              },
              row.aborter.signal,
            ),
          );
          break;
        } catch (error) {
          if (!(error instanceof NetworkFailure) || attempt === ATTEMPTS || !through) throw error;
          if (!navigator.onLine) {
            row.say("offline");
            await whenOnline();
          } else {
            row.say("retrying", `in ${pause(attempt)} s`);
            await sleep(pause(attempt));
          }
          row.say("server");
        }
      }
      if (answer.status === 204) {
        row.say("saved");
        row.bar.value = 100;
        row.location = answer.location;
        this.announce(`${row.file.name}: saved.`);
        if (this.one) this.leave(answer.location);
        return;
      }
      let reasons = [];
      if (answer.status === 200) reasons = pageErrors(answer.text, this.field);
      else {
        try {
          reasons = [JSON.parse(answer.text).error];
        } catch {
          reasons = [`The server answered ${answer.status}.`];
        }
      }
      if (answer.status === 200 && !this.onList) this.placeErrors(answer.text);
      throw new Failed(reasons.join(" ") || "The server did not save it: are you still logged in?");
    }

    fail(row, reason) {
      row.reason = reason;
      row.say("failed", reason);
      row.bar.hidden = true;
      this.announce(`${row.file.name} failed: ${reason}`, true);
    }

    cancel(row) {
      row.aborter.abort();
      row.say("cancelled");
      row.bar.hidden = true;
      row.cancel.hidden = true;
      this.announce(`${row.file.name}: cancelled.`);
      if (
        document.activeElement === document.body ||
        !this.element.contains(document.activeElement)
      )
        this.input.focus();
      else if (row.cancel.contains(document.activeElement)) this.focusNext();
    }

    cancelAll() {
      this.rows
        .filter((row) => row.busy || row.current === "waiting")
        .forEach((row) => {
          row.aborter.abort();
          row.say("cancelled");
          row.bar.hidden = true;
          row.cancel.hidden = true;
        });
      this.announce("Cancelled.");
      this.overall.hidden = true;
      this.busy(false);
      this.input.focus();
    }

    focusNext() {
      const next = this.rows.find((row) => row.busy && !row.cancel.hidden);
      (next ? next.cancel : this.input).focus();
    }

    // All of these files ended: say how, and on the form, go on where the admin would.
    finished(rows) {
      if (this.leaving || this.rows.some((row) => row.busy)) return;
      this.busy(false);
      this.overall.hidden = true;
      const saved = this.rows.filter((row) => row.current === "saved");
      const failed = rows.filter((row) => row.current === "failed");
      if (this.onList) {
        const link = this.form.querySelector(".direct-upload-reload");
        if (link && saved.length) link.hidden = false;
        this.say(
          `${saved.length} file(s) saved` + (failed.length ? `, ${failed.length} failed.` : "."),
        );
        return;
      }
      // Every file saved: on where the admin goes; else the page stays, each file saying why.
      const unsaved = this.rows.filter((row) => ["failed", "refused"].includes(row.current));
      if (unsaved.length) {
        this.showErrors(unsaved.map((row) => `${row.file.name}: ${row.reason}`));
        this.input.focus();
      } else if (saved.length && saved.length === this.rows.length) {
        this.leave(saved.at(-1).location);
      } else {
        this.input.focus();
      }
    }

    busy(sending) {
      this.sending = sending;
      if (this.onList) return;
      this.input.disabled = sending;
      this.form
        .querySelectorAll("input[type=submit], button[type=submit]")
        .forEach((button) => (button.disabled = sending));
    }

    // The overall progress of the files going, shown always, said every ANNOUNCED_EVERY percent.
    progressed() {
      const going = this.rows.filter((row) => row.busy || row.current === "saved");
      const total = going.reduce((sum, row) => sum + row.file.size, 0);
      const sent = going.reduce(
        (sum, row) => sum + (row.current === "saved" ? row.file.size : row.sent),
        0,
      );
      const percent = total ? Math.floor((100 * sent) / total) : 0;
      this.overallBar.value = percent;
      const done = going.filter((row) => row.current === "saved").length;
      this.summary.textContent = `${done} of ${going.length} files · ${percent}% · ${size(sent)} of ${size(total)}`;
      const step = Math.floor(percent / ANNOUNCED_EVERY);
      if (this.sending && going.length && step > this.announced) {
        this.announced = step;
        this.say(`${percent}% sent.`);
      }
    }

    say(text) {
      this.status.textContent = text;
    }

    announce(text, urgent) {
      (urgent ? this.alert : this.status).textContent = text;
    }

    // What a file's upload does outside itself: the server's views with the form's CSRF token,
    // the storage with XMLHttpRequest, the row's bar and words, the widget's pool of parts.
    post(url, body) {
      return this.server.with(() => post(url, body, csrfToken(this.form)));
    }

    io(row) {
      return {
        post: (url, body) => this.post(url, body),
        put,
        sleep,
        checksum,
        fingerprint,
        now: () => performance.now(),
        online: () => navigator.onLine,
        whenOnline,
        pool: this.parts,
        progress: (total) => {
          row.tally = new Tally(total, () => performance.now());
          const tally = row.tally;
          const part = tally.part.bind(tally);
          tally.part = (number, bytes) => {
            part(number, bytes);
            row.show(tally, false);
          };
          return tally;
        },
        say: (state, detail) => {
          if (row.aborter.signal.aborted) return;
          if (state === "sending" && row.tally) return row.show(row.tally, false);
          row.say(state, detail);
          if (state === "offline") this.announce(`${row.file.name}: waiting for the network.`);
          if (state === "retrying") this.announce(`${row.file.name}: retrying.`);
        },
      };
    }

    // Errors where Django puts them: above the field, in its row, with the page's banner.
    showErrors(messages) {
      if (this.onList) return;
      const row = this.element.closest(".form-row");
      if (!row) return;
      row.querySelectorAll(".errorlist").forEach((list) => list.remove());
      const id = `${this.input.id}_error`;
      const list = document.createElement("ul");
      list.className = "errorlist direct-upload-added";
      list.id = id;
      messages.forEach((text) =>
        list.append(Object.assign(document.createElement("li"), { textContent: text })),
      );
      row.classList.add("errors");
      row.prepend(list);
      this.input.setAttribute("aria-invalid", "true");
      const described = (this.input.getAttribute("aria-describedby") || "").split(" ");
      this.input.setAttribute(
        "aria-describedby",
        [id, ...described.filter((d) => d && d !== id)].join(" "),
      );
      this.banner(messages.length);
    }

    banner(count) {
      const first = this.form.querySelector("fieldset");
      if (!first || this.form.querySelector(".errornote")) return;
      const note = document.createElement("p");
      note.className = "errornote direct-upload-added";
      note.setAttribute("role", "alert");
      note.textContent =
        count === 1 ? "Please correct the error below." : "Please correct the errors below.";
      first.before(note);
    }

    // The errors of the add page the server returned, in this page's rows and with its banner.
    placeErrors(html) {
      const page = new DOMParser().parseFromString(html, "text/html");
      let count = 0;
      page.querySelectorAll(".form-row.errors").forEach((returned) => {
        const name = [...returned.classList].find((c) => c.startsWith("field-"));
        const here = name && this.form.querySelector(`.form-row.${name}`);
        const errors = returned.querySelector(".errorlist");
        if (!here || !errors || here.contains(this.element)) return;
        here.querySelectorAll(".errorlist").forEach((list) => list.remove());
        const list = document.importNode(errors, true);
        list.classList.add("direct-upload-added");
        here.classList.add("errors");
        here.prepend(list);
        count += list.children.length;
      });
      if (count) this.banner(count);
    }

    clearErrors() {
      this.form.querySelectorAll(".direct-upload-added").forEach((node) => node.remove());
      const row = this.element.closest(".form-row");
      if (row && !row.querySelector(".errorlist")) row.classList.remove("errors");
      this.input.removeAttribute("aria-invalid");
    }

    leave(url) {
      this.leaving = true;
      location.assign(url);
    }

    submitAgain() {
      this.leaving = true;
      // form.submit() sends no button: name the one that was clicked (Save, Save and continue...).
      const submitter = this.submitter;
      if (submitter && submitter.name) {
        const button = Object.assign(document.createElement("input"), {
          type: "hidden",
          name: submitter.name,
          value: submitter.value,
        });
        this.form.appendChild(button);
      }
      this.form.submit();
    }
  }

  function whenOnline() {
    if (navigator.onLine) return Promise.resolve();
    return new Promise((resolve) => addEventListener("online", resolve, { once: true }));
  }

  // Files the clipboard or a drop carries.
  const carriesFiles = (transfer) => transfer && [...(transfer.types || [])].includes("Files");

  if (typeof document === "object") {
    const widgets = new Map();
    const widgetOf = (element) => {
      if (!widgets.has(element)) widgets.set(element, new Widget(element));
      return widgets.get(element);
    };
    const setUp = () => document.querySelectorAll(".direct-upload").forEach(widgetOf);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
    else setUp();

    document.addEventListener("submit", (event) => {
      const found = [...event.target.querySelectorAll(".direct-upload")].map(widgetOf);
      for (const widget of found) {
        if (widget.sending) {
          event.preventDefault();
          return;
        }
      }
      const widget = found.find((candidate) => candidate.pending().length);
      if (widget) widget.submit(event);
      else found.forEach((candidate) => candidate.submit(event));
    });
    // A file dropped beside the drop zone is never opened in place of the page.
    for (const type of ["dragover", "drop"]) {
      document.addEventListener(type, (event) => {
        if (carriesFiles(event.dataTransfer) && !event.defaultPrevented) {
          event.preventDefault();
          if (type === "dragover") event.dataTransfer.dropEffect = "none";
        }
      });
    }
    // Files pasted anywhere on the page go to its (first) input of several files.
    document.addEventListener("paste", (event) => {
      const files = [...((event.clipboardData && event.clipboardData.files) || [])];
      const element = document.querySelector(".direct-upload-several");
      if (!files.length || !element) return;
      const widget = widgetOf(element);
      if (widget.input.disabled) return;
      event.preventDefault();
      widget.choose(files, false);
    });
  }

  if (typeof module === "object" && module && module.exports) {
    module.exports = {
      PARALLEL,
      FILES_AT_ONCE,
      SIGNED_AT_ONCE,
      ATTEMPTS,
      ANNOUNCED_EVERY,
      Cancelled,
      NetworkFailure,
      Failed,
      Md5,
      base64,
      checksum,
      fingerprint,
      post,
      put,
      send,
      pause,
      size,
      report,
      Tally,
      Pool,
      partNumbers,
      partRange,
      inFlight,
      Upload,
      pageErrors,
    };
  }
})();
