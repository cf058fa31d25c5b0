import { isUtf8 } from 'node:buffer';

/** A line longer than this is reported (and skipped) without ever being held whole in memory. */
export const MAX_LINE_BYTES = 1 << 20;

const NEWLINE = 0x0a;
const BOM = '\ufeff';

export const LINE_NOT_UTF8 = 'not valid UTF-8';
export const LINE_TOO_LONG = `line longer than ${MAX_LINE_BYTES} bytes`;

/** What a line-based format receives: complete lines without their terminator (CRLF or LF) and no BOM. */
export interface LineHandler {
  line(text: string, lineNo: number): void;
  /** A line that could not be turned into text (not UTF-8, or too long). */
  badLine(lineNo: number, reason: string): void;
}

/**
 * Splits a byte stream into lines, fed chunk by chunk. Only the unfinished tail of the current
 * line is carried between chunks, and at most MAX_LINE_BYTES of it.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private discarding = false;
  private lineNo = 0;
  private first = true;

  constructor(private readonly handler: LineHandler) {}

  get linesSeen(): number {
    return this.lineNo;
  }

  feed(chunk: Buffer): void {
    let start = 0;
    const lastNl = chunk.lastIndexOf(NEWLINE);
    if (lastNl < 0) {
      this.keep(chunk);
      return;
    }
    const firstNl = chunk.indexOf(NEWLINE);
    if (this.carryBytes > 0 || this.discarding) {
      this.keep(chunk.subarray(0, firstNl));
      this.flush();
      start = firstNl + 1;
    }
    if (start <= lastNl) this.block(chunk.subarray(start, lastNl + 1));
    this.keep(chunk.subarray(lastNl + 1));
  }

  end(): void {
    if (this.carryBytes > 0 || this.discarding) this.flush();
  }

  private keep(part: Buffer): void {
    if (part.length === 0 || this.discarding) return;
    if (this.carryBytes + part.length > MAX_LINE_BYTES) {
      this.discarding = true;
      this.carry = [];
      this.carryBytes = 0;
      return;
    }
    this.carry.push(Buffer.from(part));
    this.carryBytes += part.length;
  }

  private flush(): void {
    const lineNo = ++this.lineNo;
    if (this.discarding) {
      this.discarding = false;
      this.handler.badLine(lineNo, LINE_TOO_LONG);
      return;
    }
    const bytes = this.carry.length === 1 ? this.carry[0] : Buffer.concat(this.carry);
    this.carry = [];
    this.carryBytes = 0;
    this.oneLine(bytes, lineNo);
  }

  /** A run of complete lines, each ending in "\n". */
  private block(bytes: Buffer): void {
    if (isUtf8(bytes) && !this.hasLongLine(bytes)) {
      const text = bytes.toString('utf8');
      let from = 0;
      for (;;) {
        const nl = text.indexOf('\n', from);
        if (nl < 0) break;
        this.emit(text.slice(from, nl), ++this.lineNo);
        from = nl + 1;
      }
      return;
    }
    let from = 0;
    for (;;) {
      const nl = bytes.indexOf(NEWLINE, from);
      if (nl < 0) break;
      const lineNo = ++this.lineNo;
      if (nl - from > MAX_LINE_BYTES) this.handler.badLine(lineNo, LINE_TOO_LONG);
      else this.oneLine(bytes.subarray(from, nl), lineNo);
      from = nl + 1;
    }
  }

  private hasLongLine(bytes: Buffer): boolean {
    if (bytes.length <= MAX_LINE_BYTES) return false;
    let from = 0;
    while (from < bytes.length) {
      const nl = bytes.indexOf(NEWLINE, from);
      if (nl - from > MAX_LINE_BYTES) return true;
      from = nl + 1;
    }
    return false;
  }

  private oneLine(bytes: Buffer, lineNo: number): void {
    if (!isUtf8(bytes)) this.handler.badLine(lineNo, LINE_NOT_UTF8);
    else this.emit(bytes.toString('utf8'), lineNo);
  }

  private emit(text: string, lineNo: number): void {
    if (this.first) {
      this.first = false;
      if (text.startsWith(BOM)) text = text.slice(1);
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.handler.line(text, lineNo);
  }
}
