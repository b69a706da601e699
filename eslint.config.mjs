// Lint: the recommended JS and TypeScript rules, plus the house style's "?? not ||" for defaults.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/**", "build/**", "services/**/dist/**", "services/**/node_modules/**", ".integration/**", ".stryker-tmp/**", "reports/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // Tests reach into synthesized inputs, which are untyped JSON by nature.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Plain CommonJS run by node: the bin/berth.js launcher and the test tooling (the scripted pulumi's modules,
    // the simulator clock preload).
    files: ["bin/**/*.js", "test/**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
