import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { buildProgram, commandNamed } from './main.ts';
import { commands } from './commands/index.ts';

describe('the command a command line names', () => {
  it('is the first word that is not an option, or the one after help', () => {
    expect(commandNamed(['run', 'a.yaml', '--model', 'qwq'])).toBe('run');
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed([])).toBeUndefined();
    expect(commandNamed(['help', 'compare'])).toBe('compare');
    expect(commandNamed(['help'])).toBeUndefined();
    expect(commandNamed(['-V'])).toBeUndefined();
  });
});

describe('lazy commands', () => {
  it('the summary in the table is the description the command registers', async () => {
    for (const entry of commands) {
      const program = new Command();
      (await entry.load())(program);
      const registered = program.commands.find((c) => c.name() === entry.name);
      expect(registered, entry.name).toBeDefined();
      expect(registered?.description(), entry.name).toBe(entry.summary);
    }
  });

  it('top-level help lists every command but loads none of them', async () => {
    const program = await buildProgram(['node', 'thinkprobe', '--help']);
    expect(program.commands.map((c) => c.name())).toEqual(commands.map((c) => c.name));
    // A listed-only command has no options; a loaded one has its own.
    for (const command of program.commands) expect(command.options, command.name()).toEqual([]);
  });

  it('loads in full only the command on the command line', async () => {
    const program = await buildProgram(['node', 'thinkprobe', 'run', '--help']);
    const byName = new Map(program.commands.map((c) => [c.name(), c]));
    expect(byName.get('run')?.options.map((o) => o.long)).toContain('--model');
    expect(byName.get('report')?.options).toEqual([]);
  });

  it('without a command line, loads every command', async () => {
    const program = await buildProgram();
    expect(program.commands.find((c) => c.name() === 'run')?.options.length).toBeGreaterThan(0);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(commands.map((c) => c.name).sort());
  });
});
