import type { RunData } from '../../run-data.ts';

/** The run's data travels gzip-compressed and base64-encoded in a non-executable script element. */
export async function loadRunData(): Promise<RunData> {
  const holder = document.getElementById('tp-data');
  if (!holder) throw new Error('report data block is missing');
  const binary = atob((holder.textContent ?? '').trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text()) as RunData;
}
