/**
 * How fast `sectoken bulk` reads and writes a register, without the service: a 200,000-row
 * spreadsheet export (CRLF, one row in ten with a quoted "Doe, Jane", one in ten with a field over
 * two lines) through csv-parse alone with bulk's options, through the reader (csvItems: csv-parse
 * plus line numbers and byte offsets), and through the reader and the RFC 4180 writer (csvRow).
 * Rows per second, the median of the repeats; the service answers batches at hundreds of thousands
 * of tokens per second per core (docs/PERFORMANCE.md), so this is the client's own ceiling.
 *
 *   npx tsc -p tsconfig.bench.json && node .bench-dist/bench/bulkCsv.js   (this case alone)
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import { csvItems } from '../src/cli/bulk/csvItems.js';
import { csvRow } from '../src/cli/bulk/csvRow.js';
import { median } from './common.js';

export interface BulkCsvBenchResult {
  rows: number;
  fileMiB: number;
  rowsPerSecond: { csvParseAlone: number; reader: number; readerAndWriter: number };
}

const ROWS = 200_000;

function makeExport(path: string): number {
  const lines = ['recordId,name,nationalId,city'];
  for (let i = 0; i < ROWS; i++) {
    const id = `AB${String(i).padStart(6, '0')}`;
    lines.push(
      i % 10 === 0
        ? `R${i},"Doe, Jane",${id},Rabat`
        : i % 10 === 1
          ? `R${i},Person ${i},${id},"12 Main Street\r\nRabat"`
          : `R${i},Person ${i},${id},Rabat`,
    );
  }
  const text = lines.join('\r\n') + '\r\n';
  writeFileSync(path, text);
  return text.length;
}

async function timed(run: () => Promise<number>): Promise<number> {
  const started = process.hrtime.bigint();
  const rows = await run();
  return rows / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function csvParseAlone(path: string): Promise<number> {
  let rows = 0;
  const parser = parse({
    encoding: 'latin1',
    raw: true,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    skip_records_with_error: true,
    on_record: () => {
      rows++;
      return null;
    },
  });
  parser.resume();
  for await (const chunk of createReadStream(path))
    await new Promise<void>((resolve, reject) => parser.write(chunk, (err) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve) => parser.end(() => resolve()));
  return rows;
}

async function reader(path: string, write: boolean): Promise<number> {
  let rows = 0;
  let bytes = 0;
  for await (const item of csvItems(path, ',')) {
    rows++;
    if (write && item.kind === 'record') bytes += csvRow([...item.fields, '123456789012', ''], ',', '\r\n').length;
  }
  return bytes >= 0 ? rows : 0;
}

export async function bulkCsvBench(repeats: number): Promise<BulkCsvBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sectoken-bench-bulk-'));
  try {
    const path = join(dir, 'export.csv');
    const size = makeExport(path);
    const runs = { csvParseAlone: [] as number[], reader: [] as number[], readerAndWriter: [] as number[] };
    // Interleaved, so that a noisy neighbour slows the three alike.
    for (let r = 0; r < repeats; r++) {
      runs.csvParseAlone.push(await timed(() => csvParseAlone(path)));
      runs.reader.push(await timed(() => reader(path, false)));
      runs.readerAndWriter.push(await timed(() => reader(path, true)));
    }
    return {
      rows: ROWS,
      fileMiB: Math.round((size / 2 ** 20) * 10) / 10,
      rowsPerSecond: {
        csvParseAlone: Math.round(median(runs.csvParseAlone)),
        reader: Math.round(median(runs.reader)),
        readerAndWriter: Math.round(median(runs.readerAndWriter)),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run alone: node .bench-dist/bench/bulkCsv.js
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await bulkCsvBench(Math.max(5, Number(process.env.BENCH_REPEATS ?? 5))), null, 2));
}
