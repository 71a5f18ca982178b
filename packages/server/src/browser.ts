// Bundlers pick this file for browser builds through the "browser" condition of package.json.
throw new Error('@icebreaker/server runs on Node.js only; in a browser, import "@icebreaker/client".');
