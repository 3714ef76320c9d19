// ESLint's recommended rules on the project's own JavaScript (`make lint` names the files: each
// app's static/ scripts and their Node tests). The scripts are classic browser scripts, loaded by
// the admin's form media with no build; the tests run on Node's own test runner (node --test).
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    // Never what tools install or generate, whatever the command line names.
    ignores: [".venv/", ".venv-latest/", "staticfiles/", "test-artifacts/", "data/"],
  },
  js.configs.recommended,
  {
    files: ["*/static/**/*.js"],
    languageOptions: {
      sourceType: "script",
      // `module` only to hand the script's logic to its Node tests when there is one.
      globals: { ...globals.browser, module: "readonly" },
    },
  },
  {
    files: ["tests/**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
  {
    files: ["eslint.config.mjs"],
    languageOptions: { globals: globals.node },
  },
];
