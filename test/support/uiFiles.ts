// Files for the file-page and sharing suites (test/ui-file-page.test.ts, test/ui-sharing.test.ts):
// a PNG and a PDF that a browser really decodes and renders (test/support/bytes.ts's are only
// typed right), and uploads through @datafiles/sdk as a given user.
import { crc32, deflateSync } from 'node:zlib';
import { createClient, type DatafilesClient } from '@datafiles/sdk';
import type { TestServer, TestUser } from './server.js';

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A decodable `width`×`height` RGB PNG in one colour (PNG spec: signature, IHDR, IDAT, IEND). */
export function solidPng(width: number, height: number, rgb: [number, number, number] = [10, 88, 202]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, truecolour, deflate, no filter method, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).map((_, index) => rgb[index % 3])]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(pixels)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-page PDF that shows `text` (PDF 1.4: catalog, pages, page, content stream, font, xref). */
export function onePagePdf(text: string): Buffer {
  const content = `BT /F1 24 Tf 40 100 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 320 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(pdf.length);
    pdf += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

export function clientOf(server: TestServer, user: TestUser): DatafilesClient {
  return createClient({ baseUrl: server.url, token: user.token });
}

/** Uploads `content` as `name` for `user`; the new file's id. */
export async function uploadAs(server: TestServer, user: TestUser, content: Uint8Array | string, name: string, description?: string): Promise<number> {
  const { dataFileId } = await clientOf(server, user).uploadFile(new Blob([content as BlobPart]), { name, description });
  return dataFileId;
}
