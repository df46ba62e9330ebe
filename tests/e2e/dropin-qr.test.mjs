// The drop-in element's QR encoder (pkg-template/qr.js): Reed–Solomon known answer, and every
// code it draws decodes back to its text with an independent decoder (jsQR).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { qrMatrix, qrSvg, rsDivisor, rsRemainder } from '../../pkg-template/qr.js';

test('Reed-Solomon: "HELLO WORLD" 1-M error correction codewords (the standard worked example)', () => {
  const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
  assert.deepEqual(rsRemainder(data, rsDivisor(10)), [196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
});

function decode(m) {
  const scale = 4; const quiet = 4;
  const n = (m.length + quiet * 2) * scale;
  const px = new Uint8ClampedArray(n * n * 4).fill(255);
  m.forEach((row, y) => row.forEach((dark, x) => {
    if (!dark) return;
    for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) {
      const o = (((y + quiet) * scale + dy) * n + (x + quiet) * scale + dx) * 4;
      px[o] = px[o + 1] = px[o + 2] = 0;
    }
  }));
  return jsQR(px, n, n, { inversionAttempts: 'dontInvert' });
}

test('QR codes of versions 1 to 10 decode to their text (jsQR)', () => {
  const uri = 'otpauth://totp/AWSCognito:demo%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=AWSCognito';
  const texts = ['HELLO WORLD', 'x', uri, 'é→✓ unicode', ...[20, 40, 60, 80, 100, 120, 150, 180, 213].map((n) => 'a1'.repeat(n).slice(0, n))];
  const versions = new Set();
  for (const t of texts) {
    const m = qrMatrix(t);
    versions.add((m.length - 17) / 4);
    const r = decode(m);
    assert.ok(r, `decodes: ${t.slice(0, 30)}… (size ${m.length})`);
    assert.equal(r.data, t);
  }
  assert.deepEqual([...versions].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(qrMatrix('HELLO WORLD').length, 21);
  assert.throws(() => qrMatrix('a'.repeat(214)), RangeError);
  assert.match(qrSvg('x', 'QR "code"'), /^<svg [^>]*aria-label="QR &#34;code&#34;"/);
});
