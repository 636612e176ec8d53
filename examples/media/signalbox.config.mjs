// The media demo: `signalbox serve` here watches ./inbox and runs media_intake on every
// image dropped in (see README, "Triggers"). Captions come from captions.json by file name.
import { readFileSync } from "node:fs";
import { createBuiltinWorkflows, defineConfig } from "signalbox";

const captions = JSON.parse(readFileSync(new URL("./captions.json", import.meta.url), "utf8"));

export default defineConfig({
  workflows: ({ home }) =>
    createBuiltinWorkflows({ home }).filter((workflow) => workflow.name === "media_intake"),
  triggers: {
    files: [
      {
        name: "inbox",
        workflow: "media_intake",
        folder: "./inbox",
        input: (file) => ({ path: file.path, caption: captions[file.name] }),
      },
    ],
  },
});
