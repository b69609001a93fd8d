// The OpenAI Node SDK (npm `openai`) peer of bench/run_async_bench: N calls kept in flight by a
// pool of N async workers (each awaits its call, then starts the next), against the same nginx
// as lemma_async_bench and lemma_async_bare_bench, measured the same way (bench/process_probe.hpp):
// units and CPU inside the measured window, peak RSS, threads (/proc/self/task) and ESTABLISHED
// connections to the server (/proc/net/tcp). Prints one JSON line.
//
//   node bench/node/async_bench.mjs --base-url http://127.0.0.1:PORT --mode chat|stream
//                                   [--in-flight N] [--seconds S] [--warmup S]
import { readdirSync, readFileSync } from 'node:fs';
import OpenAI from 'openai';

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i]] = process.argv[i + 1];
const base = args['--base-url'];
const mode = args['--mode'] ?? 'chat';
const inFlight = Number(args['--in-flight'] ?? 64);
const seconds = Number(args['--seconds'] ?? 1);
const warmup = Number(args['--warmup'] ?? 0.3);
if (!base || !['chat', 'stream'].includes(mode) || !(inFlight > 0) || !(seconds > 0)) {
  console.error('usage: node async_bench.mjs --base-url http://127.0.0.1:PORT --mode chat|stream ' +
                '[--in-flight N] [--seconds S] [--warmup S]');
  process.exit(2);
}
const port = Number(new URL(base).port);
const wanted = '0100007F:' + port.toString(16).toUpperCase().padStart(4, '0');

let maxThreads = 0;
let maxConnections = 0;
let lastConnections = 0;
// As bench/process_probe.hpp's PeakSampler: threads every 20 ms, connections every 250 ms
// (reading /proc/net/tcp is costly).
function sample() {
  maxThreads = Math.max(maxThreads, readdirSync('/proc/self/task').length);
  if (Date.now() - lastConnections < 250) return;
  lastConnections = Date.now();
  let connections = 0;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[2] === wanted && fields[3] === '01') ++connections;
  }
  maxConnections = Math.max(maxConnections, connections);
}

const client = new OpenAI({
  apiKey: 'bench',
  baseURL: base + (mode === 'chat' ? '/whole/v1' : '/sse/v1'),
  maxRetries: 0,
});
const request = { model: 'bench', messages: [{ role: 'user', content: 'What is 1+1?' }],
                  max_tokens: 256 };

let counting = false;
let stopping = false;
let units = 0;
let failures = 0;

async function worker() {
  while (!stopping) {
    try {
      if (mode === 'chat') {
        const answer = await client.chat.completions.create(request);
        if (answer.choices[0]?.message?.content) {
          if (counting) ++units;
        } else {
          ++failures;
        }
      } else {
        const stream = await client.chat.completions.create(
          { ...request, stream: true, stream_options: { include_usage: true } });
        for await (const chunk of stream) {
          if (chunk.choices?.length && counting) ++units;
        }
      }
    } catch (error) {
      ++failures;
      if (failures === 1) console.error(`node peer: ${error}`);
    }
  }
}

const sampler = setInterval(sample, 20);
let t0, t1, cpu0, cpu1;
setTimeout(() => {
  counting = true;
  t0 = process.hrtime.bigint();
  cpu0 = process.cpuUsage();
  setTimeout(() => {
    counting = false;
    stopping = true;
    t1 = process.hrtime.bigint();
    cpu1 = process.cpuUsage(cpu0);
  }, seconds * 1000);
}, warmup * 1000);

await Promise.all(Array.from({ length: inFlight }, worker));
clearInterval(sampler);
sample();
console.log(JSON.stringify({
  peer: 'node', mode, in_flight: inFlight, units, seconds: Number(t1 - t0) / 1e9,
  cpu: (cpu1.user + cpu1.system) / 1e6, peak_rss_kib: process.resourceUsage().maxRSS,
  threads: maxThreads, connections: maxConnections, failures,
}));
process.exit(failures === 0 ? 0 : 1);
