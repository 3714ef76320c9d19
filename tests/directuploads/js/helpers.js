// What the tests of directuploads/static/directuploads/direct-upload.js share: the script's logic
// as it hands it to Node, and an upload run against a fake server and storage, through the
// script's own seam (Upload's `io`), with no page, network or clock.
const path = require("node:path");

const script = require(
  path.join(__dirname, "../../../directuploads/static/directuploads/direct-upload.js"),
);

// A turn of the event loop: what a request takes at the least.
const turn = () => new Promise((resolve) => setImmediate(resolve));

// A file of `size` bytes, each byte its offset modulo 251, so that a part out of place shows.
function fileOf(size, name = "video.mp4") {
  const bytes = Uint8Array.from({ length: size }, (_, offset) => offset % 251);
  return Object.assign(new File([bytes], name, { lastModified: 1700000000000 }));
}

// An upload of `file` in `parts` of `partSize` bytes, and what it did. The storage answers each
// put with `storage(number, attempt)`: an HTTP status (0: the browser's network failure), or
// "hang" for no answer until the upload is cancelled. `sleep(seconds, upload)` replaces the
// pause between attempts. `server(url, body)` may answer a post instead of the fake server.
// `checksum` is the algorithm the start answers, `received` the parts it says the storage holds,
// `direct` false for a storage refusing the page; `network.online` is what the browser says.
function uploadOf(
  file,
  {
    parts,
    partSize,
    checksum = null,
    received = [],
    direct = true,
    storage = () => 200,
    sleep = async () => {},
    server = () => undefined,
    pool = new script.Pool(script.PARALLEL),
  },
) {
  const log = {
    posts: [], // {url, body}, in order
    puts: [], // {number, attempt, url, blob, headers}, in order
    events: [], // "start N" and "end N" as the parts go
    pauses: [], // the seconds of each pause
    sums: [], // the bytes the progress counted at each pause
    states: [], // what the upload said of itself
    inFlight: 0,
    mostInFlight: 0,
    tally: null,
  };
  const network = { online: true, waiting: [] };
  network.goOnline = () => {
    network.online = true;
    network.waiting.splice(0).forEach((resolve) => resolve());
  };
  let signatures = 0;
  const attempts = new Map();
  const io = {
    async post(url, body) {
      log.posts.push({ url, body });
      await turn();
      const answer = server(url, body);
      if (answer) return answer;
      if (url === "/start") {
        if (!direct) return { direct: false };
        const urls = { parts: "/parts", complete: "/complete", abort: "/abort" };
        return { direct: true, parts, part_size: partSize, checksum, received, urls };
      }
      if (url === "/parts") {
        const urls = {};
        const headers = {};
        for (const part of body.parts) {
          const n = typeof part === "number" ? part : part.number;
          urls[n] = `https://storage.test/part-${n}?sig=${++signatures}`;
          headers[n] = checksum ? { "x-checksum": part[checksum] } : {};
        }
        return { urls, headers };
      }
      if (url === "/complete") return { token: "the token" };
      if (url === "/abort") return {};
      throw new Error(`no such view: ${url}`);
    },
    put(url, blob, headers, progress, signal) {
      const number = Number(/part-(\d+)/.exec(url)[1]);
      const attempt = (attempts.get(number) || 0) + 1;
      attempts.set(number, attempt);
      log.puts.push({ number, attempt, url, blob, headers });
      log.events.push(`start ${number}`);
      log.inFlight += 1;
      log.mostInFlight = Math.max(log.mostInFlight, log.inFlight);
      return new Promise((resolve, reject) => {
        let done = false;
        // As XMLHttpRequest: an abort while the request is out ends it as cancelled.
        const cancel = () => finish(() => reject(new script.Cancelled()));
        const finish = (settle) => {
          if (done) return;
          done = true;
          signal.removeEventListener("abort", cancel);
          log.inFlight -= 1;
          log.events.push(`end ${number}`);
          settle();
        };
        signal.addEventListener("abort", cancel);
        setImmediate(() => {
          const status = storage(number, attempt);
          if (done || status === "hang") return;
          progress(Math.floor((blob.size ?? blob.byteLength) / 2));
          // Status 0: no answer at all (XMLHttpRequest's error): the network failed.
          finish(() =>
            status > 0 && status < 300
              ? resolve()
              : reject(
                  status === 0
                    ? new script.NetworkFailure()
                    : Object.assign(new Error(), { status }),
                ),
          );
        });
      });
    },
    async sleep(seconds) {
      log.pauses.push(seconds);
      log.sums.push(log.tally ? log.tally.sum : 0);
      await sleep(seconds, upload);
    },
    checksum: script.checksum,
    fingerprint: script.fingerprint,
    now: () => 0,
    online: () => network.online,
    whenOnline: () =>
      network.online ? Promise.resolve() : new Promise((resolve) => network.waiting.push(resolve)),
    pool,
    progress(total) {
      log.tally = new script.Tally(total, () => 0);
      return log.tally;
    },
    say(state, detail) {
      log.states.push(detail ? `${state}: ${detail}` : state);
    },
  };
  const upload = new script.Upload(file, "/start", io);
  return { upload, log, network };
}

// The posts to one of the server's views.
const postsTo = (log, url) => log.posts.filter((post) => post.url === url);

// The numbers of the parts put, attempt by attempt.
const numbersPut = (log) => log.puts.map((put) => put.number);

// The numbers of the parts signed, request by request.
const signed = (log) =>
  postsTo(log, "/parts").map((post) =>
    post.body.parts.map((part) => (typeof part === "number" ? part : part.number)),
  );

module.exports = { script, turn, fileOf, uploadOf, postsTo, numbersPut, signed };
