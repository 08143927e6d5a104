// A real, minimal baseline JPEG (8×8, one grey block) built byte by byte, so tests upload an image any
// decoder accepts without shipping a binary fixture. One-symbol Huffman tables keep the scan to one byte.

const SOI = [0xff, 0xd8];
const APP0 = [
  0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
];
const DQT = [0xff, 0xdb, 0x00, 0x43, 0x00, ...new Array<number>(64).fill(1)];
// 8 bits, 8×8, one component (id 1, no subsampling, quant table 0).
const SOF0 = [0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00];
// One code of length 1 → symbol 0 (DC: category 0; AC: end of block).
const huffman = (tableClassAndId: number) => [
  0xff,
  0xc4,
  0x00,
  0x14,
  tableClassAndId,
  0x01,
  ...new Array<number>(15).fill(0),
  0x00,
];
const SOS = [0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00];
// Bits: DC "0", EOB "0", padded with ones.
const SCAN = [0x3f];
const EOI = [0xff, 0xd9];

export function tinyJpeg(): Buffer {
  return Buffer.from([
    ...SOI,
    ...APP0,
    ...DQT,
    ...SOF0,
    ...huffman(0x00),
    ...huffman(0x10),
    ...SOS,
    ...SCAN,
    ...EOI,
  ]);
}
