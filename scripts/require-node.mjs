// One guard for every entry point that could run on the wrong Node: `npm start`, `npm test` and
// the CLI find the project's own Node 24 (node_modules/.bin/node) first on PATH, but a shell
// outside npm, or `npm ci --omit=optional`, would silently run the system's.
export const REQUIRED_NODE_MAJOR = 24;

const major = Number(process.versions.node.split('.')[0]);
if (major < REQUIRED_NODE_MAJOR) {
  process.stderr.write(
    `This project needs Node ${REQUIRED_NODE_MAJOR} or newer; this is Node ${process.versions.node} ` +
      `(${process.execPath}). Run it through npm (npm start, npm test, npm run ...), which uses the ` +
      `Node 24 that npm ci installs in node_modules/.bin, or install Node ${REQUIRED_NODE_MAJOR} LTS.\n`,
  );
  process.exit(1);
}
