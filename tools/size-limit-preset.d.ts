// @size-limit/preset-small-lib ships no types: its default export is size-limit's list of plugins.
declare module '@size-limit/preset-small-lib' {
  const plugins: Array<(...args: unknown[]) => unknown>;
  export default plugins;
}
