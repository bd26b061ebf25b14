// The `corral` executable's entry (bundled into dist/bundle.cjs, which dist/corral.cjs runs).
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 125;
  },
);
