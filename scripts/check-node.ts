/**
 * npm scripts run with the Node that the `node` dev dependency pins (the Lambda runtime's
 * major). This refuses to go on if something else is running them.
 */
const pinned = 24;
const major = Number(process.versions.node.split(".")[0]);
if (major !== pinned) {
  console.error(
    `Laurel runs on Node ${pinned} (as Lambda does), but this is Node ${process.versions.node}. Run it through npm scripts after npm ci.`,
  );
  process.exit(1);
}
