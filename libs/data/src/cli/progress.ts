/**
 * A one-line progress bar on stderr ("[#####-----] 3/10 synth-003 4.1 s/patient, ETA 29 s").
 * Redrawn in place on a terminal; one line per update otherwise (logs stay readable).
 */
export function progressBar(total: number, stream: NodeJS.WriteStream = process.stderr): (done: number, label: string) => void {
  const start = Date.now();
  return (done, label) => {
    const width = 30;
    const filled = Math.round((width * done) / total);
    const per = (Date.now() - start) / 1000 / Math.max(1, done);
    const eta = per * (total - done);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label} ${per.toFixed(1)} s/patient, ETA ${eta.toFixed(0)} s`;
    if (stream.isTTY) stream.write(`\r${line}${done === total ? '\n' : ''}`);
    else stream.write(`${line}\n`);
  };
}
