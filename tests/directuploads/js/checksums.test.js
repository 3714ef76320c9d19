// The checksums a part carries: MD5 (Azure's Content-MD5), written in the script because the
// browser's SubtleCrypto has none, against Node's crypto on random inputs; SHA-256 (S3's
// x-amz-checksum-sha256) from SubtleCrypto; the fingerprint that finds an upload to resume.
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const test = require("node:test");

const { script } = require("./helpers.js");

const { Md5, base64, checksum, fingerprint } = script;
const MiB = 1024 * 1024;
const nodeDigest = (algorithm, bytes) =>
  crypto.createHash(algorithm).update(bytes).digest("base64");

test("MD5 is RFC 1321's on its test suite", () => {
  const suite = {
    "": "d41d8cd98f00b204e9800998ecf8427e",
    a: "0cc175b9c0f1b6a831c399e269772661",
    abc: "900150983cd24fb0d6963f7d28e17f72",
    "message digest": "f96b697d7cb7938d525a2f31aaf161d0",
    abcdefghijklmnopqrstuvwxyz: "c3fcd3d76192e4007dfb496cca67e13b",
    "12345678901234567890123456789012345678901234567890123456789012345678901234567890":
      "57edf4a22be3c955ac49da2e2107b67a",
  };
  for (const [text, hex] of Object.entries(suite)) {
    const digest = new Md5().update(new TextEncoder().encode(text)).digest();
    assert.equal(Buffer.from(digest).toString("hex"), hex, JSON.stringify(text));
  }
});

test("MD5 is Node's on random inputs of every length around its blocks", () => {
  const lengths = [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 4096, 65537];
  for (let i = 0; i < 200; i += 1) lengths.push(crypto.randomInt(0, 300_000));
  for (const length of lengths) {
    const bytes = crypto.randomBytes(length);
    assert.equal(base64(new Md5().update(bytes).digest()), nodeDigest("md5", bytes), `${length}`);
  }
});

test("MD5 given its input in pieces of any size is the same", () => {
  for (let i = 0; i < 50; i += 1) {
    const bytes = crypto.randomBytes(crypto.randomInt(0, 100_000));
    const md5 = new Md5();
    for (let offset = 0; offset < bytes.length;) {
      const piece = crypto.randomInt(1, 5000);
      md5.update(bytes.subarray(offset, offset + piece));
      offset += piece;
    }
    assert.equal(base64(md5.digest()), nodeDigest("md5", bytes));
  }
});

test("a part's checksum is its SHA-256 or MD5 in base64, a MiB at a time for MD5", async () => {
  const bytes = crypto.randomBytes(3 * MiB + 17);
  const blob = new Blob([bytes]);
  assert.equal(await checksum("sha256", blob), nodeDigest("sha256", bytes));
  assert.equal(await checksum("md5", blob), nodeDigest("md5", bytes));
  assert.equal(await checksum(null, blob), null);
});

test("a file's fingerprint is the SHA-256 of its first and last MiB", async () => {
  const bytes = crypto.randomBytes(5 * MiB + 3);
  const file = new Blob([bytes]);
  const ends = Buffer.concat([bytes.subarray(0, MiB), bytes.subarray(bytes.length - MiB)]);
  assert.equal(await fingerprint(file), nodeDigest("sha256", ends));
  const small = crypto.randomBytes(MiB + 10); // shorter than two MiB: all of it, once
  assert.equal(await fingerprint(new Blob([small])), nodeDigest("sha256", small));
});
