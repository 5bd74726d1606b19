// zip.js: a ZIP archive of a few files, made on the device for the evidence package. Entries are
// stored, not compressed: the screenshots are PNGs already, and the receipts are small.

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as ZIP and PNG use it) of `bytes`. */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** MS-DOS date and time fields of `date`, in UTC (ZIP has no time zone; the receipt says UTC). */
function dosTime(date) {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/**
 * A ZIP archive (stored entries, UTF-8 names, no extra fields, no comment) of `files`, each
 * `{ name, bytes }` (bytes: a Uint8Array or a string, written as UTF-8), all dated `date`.
 * @returns {Blob} application/zip
 */
export function zip(files, date = new Date()) {
  const encoder = new TextEncoder();
  const { time, date: day } = dosTime(date);
  const parts = [];
  const central = [];
  let offset = 0;
  for (const file of files) {
    const name = encoder.encode(file.name);
    const bytes = typeof file.bytes === 'string' ? encoder.encode(file.bytes) : file.bytes;
    if (bytes.length >= 0xffffffff || offset >= 0xffffffff) throw new RangeError('The evidence package is over 4 GiB.');
    const crc = crc32(bytes);
    // Version 2.0, flag bit 11 (names are UTF-8), method 0 (stored).
    const common = [20, 0x0800, 0, time, day];
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    common.forEach((v, i) => local.setUint16(4 + 2 * i, v, true));
    local.setUint32(14, crc, true);
    local.setUint32(18, bytes.length, true);
    local.setUint32(22, bytes.length, true);
    local.setUint16(26, name.length, true);
    local.setUint16(28, 0, true);
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint16(4, 20, true); // made by: version 2.0, MS-DOS attributes
    common.forEach((v, i) => entry.setUint16(6 + 2 * i, v, true));
    entry.setUint32(16, crc, true);
    entry.setUint32(20, bytes.length, true);
    entry.setUint32(24, bytes.length, true);
    entry.setUint16(28, name.length, true);
    entry.setUint32(42, offset, true);
    parts.push(local, name, bytes);
    central.push(entry, name);
    offset += 30 + name.length + bytes.length;
  }
  const size = central.reduce((n, part) => n + part.byteLength, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, size, true);
  end.setUint32(16, offset, true);
  return new Blob([...parts, ...central, end], { type: 'application/zip' });
}
