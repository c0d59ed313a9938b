// Typed documents from the API's committed SDL: `npm run codegen` writes src/gql/ (git-ignored).
// `documentMode: 'string'` makes every `graphql(...)` a typed string, so no `graphql` runtime ships.
// `src/gql/enums.ts` has every enum of the SDL, used in a document or not: the error codes
// (`…ErrorCode`) that `i18n/apiErrors.ts` must translate, all of them.
import type { CodegenConfig } from '@graphql-codegen/cli'

const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/**/*.{ts,vue}', '!src/gql/**/*'],
  ignoreNoDocuments: true,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        scalars: {
          Date: 'string',
          DateTime: 'string',
          Decimal: 'string',
          JSON: 'unknown',
        },
      },
    },
    './src/gql/enums.ts': {
      plugins: ['typescript'],
      config: { onlyEnums: true, enumsAsConst: true },
    },
  },
}

export default config
