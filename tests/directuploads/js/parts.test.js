// How a file is cut in parts: their numbers, their bytes, and which files go straight up at all.
const assert = require("node:assert/strict");
const test = require("node:test");

const { script, fileOf, uploadOf, numbersPut } = require("./helpers.js");

const { partNumbers, partRange, inFlight, PARALLEL } = script;
const MiB = 1024 * 1024;

test("parts are numbered from 1 to their count", () => {
  assert.deepEqual(partNumbers(4), [1, 2, 3, 4]);
  assert.deepEqual(partNumbers(1), [1]);
});

test("each part is part size bytes from where the one before ends", () => {
  assert.deepEqual(partRange(1, 100, 1000), [0, 100]);
  assert.deepEqual(partRange(2, 100, 1000), [100, 200]);
  assert.deepEqual(partRange(10, 100, 1000), [900, 1000]);
});

test("the last part is shorter when the file ends before it is full", () => {
  assert.deepEqual(partRange(3, 100, 250), [200, 250]);
});

test("an empty file has one empty part", () => {
  assert.deepEqual(partRange(1, 100, 0), [0, 0]);
});

test("a file's parts in flight are a twentieth of it, two at least, six at most", () => {
  assert.equal(inFlight(10 * MiB, 8 * MiB), 2);
  assert.equal(inFlight(200 * MiB, 8 * MiB), 2); // a reload there loses 16 MiB at most
  assert.equal(inFlight(500 * MiB, 8 * MiB), 3);
  assert.equal(inFlight(1024 * MiB, 8 * MiB), PARALLEL);
  assert.equal(inFlight(100 * 1024 * MiB, 8 * MiB), PARALLEL);
});

test("the upload puts each part's bytes once, and together they are the file", async () => {
  const file = fileOf(1050);
  const { upload, log } = uploadOf(file, { parts: 11, partSize: 100 });

  assert.equal(await upload.run(), "the token");

  assert.deepEqual(
    numbersPut(log).sort((a, b) => a - b),
    partNumbers(11),
  );
  const sizes = new Map(log.puts.map((put) => [put.number, put.blob.size]));
  assert.equal(sizes.get(11), 50); // the last part, shorter
  assert.ok([...sizes].every(([number, bytes]) => number === 11 || bytes === 100));
  const inOrder = [...log.puts].sort((a, b) => a.number - b.number).map((put) => put.blob);
  const joined = Buffer.from(await new Blob(inOrder).arrayBuffer());
  assert.ok(joined.equals(Buffer.from(await file.arrayBuffer())));
});

test("the upload starts with the file's name and size, and completes after its parts", async () => {
  let partsSentAtComplete;
  const { upload, log } = uploadOf(fileOf(1050, "holiday video.mp4"), {
    parts: 11,
    partSize: 100,
    server(url) {
      if (url === "/complete") partsSentAtComplete = log.events.filter((e) => e.startsWith("end"));
    },
  });
  await upload.run();
  assert.deepEqual(log.posts[0], {
    url: "/start",
    body: {
      name: "holiday video.mp4",
      size: 1050,
      last_modified: 1700000000000,
      // The SHA-256 of its first and last MiB: here, the whole file.
      fingerprint: require("node:crypto")
        .createHash("sha256")
        .update(Buffer.from(await fileOf(1050).arrayBuffer()))
        .digest("base64"),
    },
  });
  assert.deepEqual(log.posts.at(-1), { url: "/complete", body: {} });
  assert.equal(partsSentAtComplete.length, 11);
});

test("an empty file's upload puts its one empty part", async () => {
  const { upload, log } = uploadOf(fileOf(0), { parts: 1, partSize: 8 * 1024 * 1024 });
  assert.equal(await upload.run(), "the token");
  assert.deepEqual(
    log.puts.map((put) => [put.number, put.blob.size]),
    [[1, 0]],
  );
});
