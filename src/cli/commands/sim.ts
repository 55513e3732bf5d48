import type { Command } from 'commander';
import { startSimServer } from '../../sim/server/index.ts';
import { integerFlag } from '../flags.ts';

interface SimFlags {
  port: string;
  host: string;
  parallel: string;
  card?: string;
  answers?: string;
  faults?: string;
  latency?: string;
}

/** `thinkprobe sim`: the simulator behind Ollama's HTTP API and the OpenAI-compatible one, until SIGINT/SIGTERM. */
export function registerSim(program: Command): void {
  program
    .command('sim')
    .description("Serve the simulated reasoning model behind Ollama's HTTP API and an OpenAI-compatible one (/v1/completions, /v1/models, /tokenize) on the same port (for tests, demos and benchmarks).")
    .option('--port <n>', 'port to listen on (0 = any free port)', '11434')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--parallel <k>', 'KV-cache slots / concurrent generations, like OLLAMA_NUM_PARALLEL', '1')
    .option('--card <name|file>', 'model card: a built-in name (sim-qwq, sim-qwq-regressed, sim-overthinker) or a JSON file; served besides the built-in cards')
    .option('--answers <file.jsonl>', 'JSONL answer key (question and answer per line) the model knows')
    .option('--faults <spec>', 'inject faults, e.g. http500=0.1,http503=0.05,cut=0.05,errorline=0.02,nodone=0.02,slow=0.01,slowms=1000,seed=7')
    .option('--latency <spec>', 'emulate time per token, e.g. prefill=0.05ms,decode=2ms (off by default)')
    .action(async (flags: SimFlags) => {
      const server = await startSimServer({
        port: integerFlag('--port', flags.port, 0, 65535),
        host: flags.host,
        parallel: integerFlag('--parallel', flags.parallel, 1, 256),
        ...(flags.card !== undefined ? { card: flags.card } : {}),
        ...(flags.answers !== undefined ? { answers: flags.answers } : {}),
        ...(flags.faults !== undefined ? { faults: flags.faults } : {}),
        ...(flags.latency !== undefined ? { latency: flags.latency } : {}),
        onNotice: (line) => process.stderr.write(`${line}\n`),
      });
      const shownHost = flags.host.includes(':') ? `[${flags.host}]` : flags.host;
      process.stdout.write(`listening on http://${shownHost}:${server.port}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
    });
}
