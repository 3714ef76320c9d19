// An upload's course against a fake server and storage: parts signed ahead with their checksums,
// several at a time, attempts and pauses, the network failing or gone, a resumed upload, a
// storage refusing the page, and a cancel.
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const test = require("node:test");

const { script, turn, fileOf, uploadOf, postsTo, numbersPut, signed } = require("./helpers.js");

const { ATTEMPTS, PARALLEL, SIGNED_AT_ONCE, Cancelled, Failed, NetworkFailure, Pool, pause } =
  script;
const range = (first, last) => Array.from({ length: last - first + 1 }, (_, i) => first + i);
const MiB = 1024 * 1024;

// 30 parts of 4 bytes, the last of 3.
const manyParts = (options = {}) =>
  uploadOf(fileOf(119), { parts: 30, partSize: 4, checksum: "sha256", ...options });

const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest("base64");

test("each part is signed with its SHA-256, and put with the headers signed", async () => {
  const file = fileOf(119);
  const { upload, log } = manyParts();
  assert.equal(await upload.run(), "the token");
  const bytes = Buffer.from(await file.arrayBuffer());
  for (const post of postsTo(log, "/parts")) {
    for (const part of post.body.parts) {
      const sent = bytes.subarray((part.number - 1) * 4, part.number * 4);
      assert.equal(part.sha256, sha256(sent));
    }
  }
  for (const put of log.puts) {
    const sent = Buffer.from(await put.blob.arrayBuffer());
    assert.deepEqual(put.headers, { "x-checksum": sha256(sent) });
  }
});

test("parts are signed a few at a time, each number once", async () => {
  const { upload, log } = manyParts();
  await upload.run();
  const batches = signed(log);
  assert.ok(batches.every((batch) => batch.length <= SIGNED_AT_ONCE));
  assert.ok(batches.length < 30 / 2, `${batches.length} requests to sign 30 parts`);
  assert.deepEqual(
    batches.flat().sort((a, b) => a - b),
    range(1, 30),
  );
});

test("without a checksum, parts are signed by their numbers", async () => {
  const { upload, log } = manyParts({ checksum: null });
  await upload.run();
  assert.ok(postsTo(log, "/parts").every((post) => post.body.parts.every(Number.isInteger)));
});

test("each part is put with the URL signed for it", async () => {
  const { upload, log } = manyParts();
  await upload.run();
  const urls = new Set();
  for (const { number, url } of log.puts) {
    assert.match(url, new RegExp(`/part-${number}\\?sig=\\d+$`));
    urls.add(url);
  }
  assert.equal(urls.size, 30);
});

test("a small file's parts go two at a time, a large one's six, all files at most six", async () => {
  const small = uploadOf(fileOf(100), { parts: 20, partSize: 5 });
  await small.upload.run();
  assert.equal(small.log.mostInFlight, 2);
  // A file of 1 GiB in parts of 8 MiB, each faked as 4 bytes (the size is the file's).
  const gib = () => ({
    name: "large.bin",
    size: 1024 * MiB,
    lastModified: 0,
    slice: (from, to) => new Blob([new Uint8Array(Math.max(0, Math.min(4, to - from)))]),
  });
  const file = gib();
  const large = uploadOf(file, { parts: 128, partSize: 8 * MiB });
  await large.upload.run();
  assert.equal(large.log.mostInFlight, PARALLEL);
  // Two files sharing the page's pool.
  const pool = new Pool(PARALLEL);
  let most = 0;
  let now = 0;
  const counted = (options) => {
    const made = uploadOf(gib(), {
      parts: 64,
      partSize: 8 * MiB,
      pool,
      storage: () => {
        most = Math.max(most, 6 - pool.free);
        return 200;
      },
      ...options,
    });
    return made.upload.run().then(() => (now += 1));
  };
  await Promise.all([counted(), counted()]);
  assert.equal(most, PARALLEL);
  assert.equal(now, 2);
});

test("a failed part is tried again with a fresh URL after 1, 2 then 4 seconds", async () => {
  const { upload, log } = uploadOf(fileOf(100), {
    parts: 10,
    partSize: 10,
    checksum: "sha256",
    storage: (number, attempt) => (number === 2 && attempt < ATTEMPTS ? 400 : 200),
  });

  assert.equal(await upload.run(), "the token");

  assert.equal(ATTEMPTS, 4);
  assert.deepEqual(log.pauses, [1, 2, 4]);
  assert.deepEqual([1, 2, 3, 4].map(pause), [1, 2, 4, 8]);
  const part2 = log.puts.filter((put) => put.number === 2);
  assert.equal(part2.length, ATTEMPTS);
  assert.equal(new Set(part2.map((put) => put.url)).size, ATTEMPTS); // signed again each time
  assert.equal(new Set(part2.map((put) => put.headers["x-checksum"])).size, 1); // its own bytes
  assert.ok(log.states.includes("retrying: part 2, in 1 s"));
});

test("a failed part's bytes are counted again from nothing", async () => {
  // The fake storage reports half a part sent before each answer: 5 of part 2's 10 bytes.
  const { upload, log } = uploadOf(fileOf(20), {
    parts: 2,
    partSize: 10,
    storage: (number, attempt) => (number === 2 && attempt === 1 ? 500 : 200),
  });
  await upload.run();
  assert.ok(log.sums.every((sum) => sum % 10 === 0)); // nothing of part 2 in the pause
  assert.equal(log.tally.sum, 20);
});

test("a part the storage refuses every attempt fails the upload, which is aborted", async () => {
  const { upload, log } = uploadOf(fileOf(100), {
    parts: 10,
    partSize: 10,
    storage: (number) => (number === 2 ? 403 : 200),
  });

  await assert.rejects(upload.run(), {
    message: "The storage refused part 2 of the file 4 times.",
  });

  assert.equal(log.puts.filter((put) => put.number === 2).length, ATTEMPTS);
  assert.deepEqual(log.pauses, [1, 2, 4]);
  assert.equal(postsTo(log, "/abort").length, 1);
  assert.equal(postsTo(log, "/complete").length, 0);
  assert.ok(upload.aborter.signal.aborted);
});

test("no answer on the first part is the network failing, tried again, never a refusal", async () => {
  const { upload, log } = uploadOf(fileOf(100), {
    parts: 10,
    partSize: 10,
    storage: (number, attempt) => (number === 1 && attempt === 1 ? 0 : 200),
  });
  assert.equal(await upload.run(), "the token");
  assert.deepEqual(log.pauses, [1]);
  assert.equal(postsTo(log, "/abort").length, 0);
});

test("the network failing every attempt leaves the upload to be resumed", async () => {
  const { upload, log } = uploadOf(fileOf(100), {
    parts: 10,
    partSize: 10,
    storage: (number) => (number === 3 ? 0 : 200),
  });
  await assert.rejects(upload.run(), (error) => {
    assert.ok(error instanceof Failed);
    assert.equal(error.resumable, true);
    assert.match(error.message, /^The storage could not be reached\. Choose the file again/);
    return true;
  });
  assert.equal(postsTo(log, "/abort").length, 0); // its parts stay, for the next try
});

test("offline, a part waits for the network without spending its attempts", async () => {
  let offline = true;
  const made = uploadOf(fileOf(100), {
    parts: 10,
    partSize: 10,
    storage: (number) => (number === 4 && offline ? 0 : 200),
  });
  const { upload, log, network } = made;
  made.network.online = false;
  const running = upload.run();
  while (!log.states.includes("offline")) await turn();
  for (let i = 0; i < 10; i += 1) await turn();
  const tried = log.puts.filter((put) => put.number === 4).length;
  assert.equal(tried, 1); // waiting, not trying again
  offline = false;
  network.goOnline();

  assert.equal(await running, "the token");
  assert.deepEqual(log.pauses, []); // no attempt spent, no pause
  assert.equal(log.puts.filter((put) => put.number === 4).length, 2);
});

test("a storage that refuses the page: no part is sent, the file goes through the server", async () => {
  const { upload, log } = uploadOf(fileOf(100), { parts: 10, partSize: 10, direct: false });
  assert.equal(await upload.run(), null);
  assert.deepEqual(log.puts, []);
  assert.deepEqual(
    log.posts.map((post) => post.url),
    ["/start"],
  );
});

test("a resumed upload sends only the parts the storage lacks or holds otherwise", async () => {
  const file = fileOf(100);
  const bytes = Buffer.from(await file.arrayBuffer());
  const partSum = (number) => sha256(bytes.subarray((number - 1) * 10, number * 10));
  const received = [
    { number: 1, size: 10, checksum: partSum(1) },
    { number: 2, size: 10, checksum: partSum(2) },
    { number: 3, size: 10, checksum: partSum(9) }, // other bytes: sent again
    { number: 4, size: 4, checksum: partSum(4) }, // cut short: sent again
    { number: 6, size: 10, checksum: partSum(6) },
  ];
  const { upload, log } = uploadOf(file, {
    parts: 10,
    partSize: 10,
    checksum: "sha256",
    received,
  });

  assert.equal(await upload.run(), "the token");

  assert.deepEqual(
    numbersPut(log).sort((a, b) => a - b),
    [3, 4, 5, 7, 8, 9, 10],
  );
  assert.equal(log.tally.sum, 100);
  assert.equal(log.tally.already, 30);
  assert.equal(log.states[0], "checking");
});

test("a cancel stops the parts in flight and calls the abort step", async () => {
  const { upload, log } = uploadOf(fileOf(100), {
    parts: 10,
    partSize: 10,
    storage: (number) => (number === 1 ? 200 : "hang"),
  });
  const running = upload.run();
  while (log.inFlight < 2) await turn();
  const put = log.puts.length;
  upload.aborter.abort(); // the Cancel button
  await assert.rejects(running, Cancelled);

  assert.equal(log.inFlight, 0);
  for (let i = 0; i < 5; i += 1) await turn();
  assert.equal(log.puts.length, put); // no part after the cancel
  assert.deepEqual(log.pauses, []); // nor a pause before trying again
  assert.equal(postsTo(log, "/abort").length, 1);
  assert.equal(postsTo(log, "/complete").length, 0);
});

test("a cancel during a pause sends no part after it", async () => {
  let putBeforeCancel;
  const { upload, log } = uploadOf(fileOf(100), {
    parts: 10,
    partSize: 10,
    storage: (number, attempt) => ({ 1: 200, 2: attempt === 1 ? 500 : 200 })[number] || "hang",
    sleep: async (seconds, running) => {
      putBeforeCancel = log.puts.length;
      running.aborter.abort(); // the Cancel button, while part 2 waits to be tried again
    },
  });

  await assert.rejects(upload.run(), Cancelled);

  for (let i = 0; i < 5; i += 1) await turn();
  assert.equal(log.puts.length, putBeforeCancel);
  assert.equal(log.puts.filter((put) => put.number === 2).length, 1); // not tried again
  assert.equal(postsTo(log, "/abort").length, 1);
});

test("the server unreachable when the upload starts: tried again, then said in words", async () => {
  const { upload, log } = uploadOf(fileOf(100), {
    parts: 10,
    partSize: 10,
    server: (url) => {
      if (url === "/start") throw new NetworkFailure();
    },
  });
  await assert.rejects(upload.run(), {
    message: "The server could not be reached. Check the connection and try again.",
  });
  assert.equal(postsTo(log, "/start").length, ATTEMPTS);
});
