// The two kinds of request: JSON posts to the server's views, and a part's PUT to the storage
// (XMLHttpRequest, for the bytes sent as they go), each given a fake in place of the browser's.
const assert = require("node:assert/strict");
const test = require("node:test");

const { script } = require("./helpers.js");

const { post, put, send, Cancelled, NetworkFailure } = script;

// A fetch that answers `status` with `text` as the body, and keeps what it was asked.
function fetchAnswering(status, text, statusText = "") {
  const asked = [];
  const fetcher = async (url, options) => {
    asked.push({ url, options });
    return new Response(text, { status, statusText });
  };
  return { fetcher, asked };
}

test("a post sends JSON with the CSRF token, same-origin, and gives the answer", async () => {
  const { fetcher, asked } = fetchAnswering(200, '{"token": "t"}');
  assert.deepEqual(await post("/start", { name: "a.mp4", size: 3 }, "csrf", fetcher), {
    token: "t",
  });
  assert.deepEqual(asked, [
    {
      url: "/start",
      options: {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": "csrf" },
        body: '{"name":"a.mp4","size":3}',
      },
    },
  ]);
});

test("a post the server refuses fails with the server's own words", async () => {
  const { fetcher } = fetchAnswering(400, '{"error": "Give the file\'s name and size."}');
  await assert.rejects(post("/start", {}, "csrf", fetcher), {
    message: "Give the file's name and size.",
    fromServer: true,
  });
});

test("a post answered without JSON fails saying the status", async () => {
  const { fetcher } = fetchAnswering(502, "<html>Bad gateway</html>", "Bad Gateway");
  await assert.rejects(post("/parts", {}, "csrf", fetcher), {
    message: "The server answered 502 Bad Gateway.",
    fromServer: true,
  });
});

test("a post that gets no answer is a network failure", async () => {
  const fetcher = async () => {
    throw new TypeError("Failed to fetch");
  };
  await assert.rejects(post("/parts", {}, "csrf", fetcher), NetworkFailure);
});

// An XMLHttpRequest whose answer the test gives: load(status), fail() or, as the browser does
// on abort(), onabort.
class FakeRequest {
  static made = [];

  constructor() {
    this.upload = {};
    this.headers = {};
    FakeRequest.made.push(this);
  }

  setRequestHeader(name, value) {
    this.headers[name] = value;
  }

  getResponseHeader(name) {
    return (this.answerHeaders || {})[name] || null;
  }

  open(method, url) {
    Object.assign(this, { method, url });
  }

  send(body) {
    this.body = body;
  }

  load(status) {
    this.status = status;
    this.onload();
  }

  fail() {
    this.onerror();
  }

  abort() {
    this.aborted = true;
    this.onabort();
  }
}

// A part's PUT with a FakeRequest: the request, what it reported, and how it ended.
function putOne() {
  const aborter = new AbortController();
  const reported = [];
  const blob = new Blob(["part"]);
  const ended = put(
    "https://storage.test/part-1",
    blob,
    { "x-amz-checksum-sha256": "c3VtIQ==" },
    (b) => reported.push(b),
    aborter.signal,
    FakeRequest,
  );
  const outcome = ended.then(
    () => "sent",
    (error) => error,
  );
  return { request: FakeRequest.made.at(-1), aborter, reported, blob, outcome };
}

test("a part is PUT to its URL with its headers, reporting its bytes as they go", async () => {
  const { request, reported, blob, outcome } = putOne();
  assert.equal(request.method, "PUT");
  assert.deepEqual(request.headers, { "x-amz-checksum-sha256": "c3VtIQ==" });
  assert.equal(request.url, "https://storage.test/part-1");
  assert.equal(request.body, blob);
  request.upload.onprogress({ loaded: 2 });
  request.upload.onprogress({ loaded: 4 });
  request.load(200);
  assert.equal(await outcome, "sent");
  assert.deepEqual(reported, [2, 4]);
});

test("a part the storage answers with any status from 300 fails with it", async () => {
  for (const status of [300, 403, 503]) {
    const { request, outcome } = putOne();
    request.load(status);
    assert.equal((await outcome).status, status);
  }
});

test("a part with no answer at all fails as the network failing, status 0", async () => {
  const { request, outcome } = putOne();
  request.fail();
  const failure = await outcome;
  assert.ok(failure instanceof NetworkFailure);
  assert.equal(failure.status, 0);
});

test("a cancel aborts the part's request, which fails as cancelled", async () => {
  const { request, aborter, outcome } = putOne();
  aborter.abort();
  assert.equal(request.aborted, true);
  assert.ok((await outcome) instanceof Cancelled);
});

test("the form goes with the script's header; a saved form's 204 says where to go", async () => {
  const reported = [];
  const sent = send(
    "/add/",
    "the form",
    (loaded, total) => reported.push([loaded, total]),
    new AbortController().signal,
    FakeRequest,
  );
  const request = FakeRequest.made.at(-1);
  assert.equal(request.method, "POST");
  assert.deepEqual(request.headers, { "X-Direct-Upload": "save" });
  assert.equal(request.body, "the form");
  request.upload.onprogress({ loaded: 5, total: 10 });
  request.answerHeaders = { "X-Direct-Upload-Location": "/list/" };
  request.responseText = "";
  request.load(204);
  assert.deepEqual(await sent, { status: 204, location: "/list/", text: "" });
  assert.deepEqual(reported, [[5, 10]]);
});
