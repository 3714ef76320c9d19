// The sizes and the progress the bar shows: Django's filesizeformat, the percent and time left.
const assert = require("node:assert/strict");
const test = require("node:test");

const { script, fileOf, uploadOf } = require("./helpers.js");

const { size, report, Tally } = script;
const KiB = 1024;
const MiB = 1024 * KiB;

test("sizes read as Django's filesizeformat says them", () => {
  // Django's own answers (with a plain space for its no-break one): bytes below a KiB, then
  // powers of 1024 with one decimal.
  const django = {
    0: "0 bytes",
    2: "2 bytes",
    1023: "1023 bytes",
    1024: "1.0 KB",
    1536: "1.5 KB",
    10239: "10.0 KB",
    1048575: "1024.0 KB",
    1048576: "1.0 MB",
    50331648: "48.0 MB",
    9126805504: "8.5 GB",
    5497558138880: "5.0 TB",
  };
  for (const [bytes, text] of Object.entries(django)) {
    assert.equal(size(Number(bytes)), text, `${bytes} bytes`);
  }
});

test("terabytes are the largest unit", () => {
  assert.equal(size(1024 ** 5), "1024.0 TB");
});

test("the percent is rounded down, and an empty total is all sent", () => {
  assert.equal(report(0, 48 * MiB, 0).percent, 0);
  assert.equal(report(48 * MiB - 1, 48 * MiB, 0).percent, 99);
  assert.equal(report(12 * MiB, 48 * MiB, 0).percent, 25);
  assert.equal(report(48 * MiB, 48 * MiB, 0).percent, 100);
  assert.equal(report(0, 0, 0).percent, 100);
});

test("the time left is the rest at the pace so far, rounded up", () => {
  // 12 MiB in 3 s: the 36 MiB left take 9 s; 10 MiB in 3 s: 38 MiB take 11.4 s, said 12.
  assert.equal(report(12 * MiB, 48 * MiB, 3).left, 9);
  assert.equal(report(10 * MiB, 48 * MiB, 3).left, 12);
  assert.equal(report(48 * MiB, 48 * MiB, 30).left, 0);
});

test("no time left is guessed in the first second, nor before a byte is sent", () => {
  assert.equal(report(12 * MiB, 48 * MiB, 1).left, null);
  assert.equal(report(0, 48 * MiB, 5).left, null);
});

test("the status reads percent, bytes sent of the total, and the time left once known", () => {
  assert.equal(report(12 * MiB, 48 * MiB, 3).text, "25% · 12.0 MB of 48.0 MB · 9 s left");
  assert.equal(report(12 * MiB, 48 * MiB, 0.5).text, "25% · 12.0 MB of 48.0 MB");
  assert.equal(report(0, 48 * MiB, 0).text, "0% · 0 bytes of 48.0 MB");
});

test("the tally sums the bytes of every part, each counted at its latest", () => {
  const tally = new Tally(300, () => 0);
  tally.part(1, 50);
  tally.part(2, 70);
  tally.part(1, 100); // part 1 further on: its 50 bytes are not counted twice
  assert.equal(tally.sum, 170);
  tally.part(2, 0); // part 2 sent again: from nothing
  assert.equal(tally.sum, 100);
  tally.part(2, 100);
  tally.part(3, 100);
  assert.equal(tally.sum, 300);
  assert.equal(tally.report().percent, 100);
});

test("the tally's time is counted from its start, on the clock it is given", () => {
  let now = 5000; // milliseconds, as performance.now()
  const tally = new Tally(48 * MiB, () => now);
  tally.part(1, 12 * MiB);
  now += 3000;
  assert.deepEqual(tally.report(), {
    percent: 25,
    left: 9,
    text: "25% · 12.0 MB of 48.0 MB · 9 s left",
  });
});

test("an upload counts every byte of the file once its parts are sent", async () => {
  const { upload, log } = uploadOf(fileOf(1000), { parts: 10, partSize: 100 });
  await upload.run();
  assert.equal(log.tally.total, 1000);
  assert.equal(log.tally.sum, 1000);
  assert.equal(log.tally.sent.size, 10);
});
