import { describe, expect, it, vi } from 'vitest';
import { processIo } from '../../controller/cli/io.ts';
import { printable } from '../../controller/core/printable.ts';
import { formatProblem } from '../../controller/core/problem.ts';

describe('printable', () => {
  it.each([
    ['plain text', 'orders: entity A_SalesOrder', 'orders: entity A_SalesOrder'],
    ['a screen clear and cursor home', 'x\u001b[2J\u001b[Hy', 'x\\u001b[2J\\u001b[Hy'],
    ['a carriage return that would overwrite the line', 'bad\rgood', 'bad\\u000dgood'],
    ['a newline, so one problem stays one line', 'a\nb', 'a\\u000ab'],
    ['a C1 control (CSI)', 'a\u009bb', 'a\\u009bb'],
    ['DEL and NUL', 'a\u007fb\u0000', 'a\\u007fb\\u0000'],
    ['a right-to-left override', 'a\u202eb', 'a\\u202eb'],
    ['Unicode that is not a control', 'Straße ✓', 'Straße ✓'],
  ])('%s', (_title, text, expected) => {
    expect(printable(text)).toBe(expected);
  });

  it('keeps newlines and tabs when asked, escaping the rest', () => {
    expect(printable('line one\nline\u001b[31m\ttwo\r', { keepLayout: true })).toBe('line one\nline\\u001b[31m\ttwo\\u000d');
  });

  it('is applied to every part of a formatted problem', () => {
    const line = formatProblem({ file: 'a\u001b.yaml', line: 1, column: 2, severity: 'error', reason: 'SchemaViolation', field: 'metadata.name', message: 'bad \u001b[2J', object: { kind: 'Integration', name: 'x\u001b[H' } });
    expect(line).toBe('a\\u001b.yaml:1:2: error: metadata.name bad \\u001b[2J (Integration x\\u001b[H)');
  });
});

describe('the terminal the CLI writes to', () => {
  it('gets every output through printable, layout kept', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      processIo.stdout('name\tx\u001b]0;pwned\u0007\n');
      expect(write).toHaveBeenCalledWith('name\tx\\u001b]0;pwned\\u0007\n');
    } finally {
      write.mockRestore();
    }
  });
});

