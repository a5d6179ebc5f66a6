/**
 * maxLength and minLength as Ajv checks them (in code points, JSON Schema's "characters"), with
 * the answer taken from the string's length in UTF-16 units where that alone decides it: a
 * string of n units has between n/2 and n code points. Ajv counts the code points of every string
 * (a scan of each trace, up to 100,000 characters), which cost 1–2 % of every thread validating
 * logs; only strings near a limit are counted now. Same verdicts and messages as Ajv's keyword.
 */
import { _, str, type CodeKeywordDefinition, type KeywordCxt } from 'ajv';
import ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';

// CommonJS module with a default export.
export const ucs2length = (ucs2lengthModule as unknown as { default: (s: string) => number }).default;

export const stringLengthKeyword: CodeKeywordDefinition = {
  keyword: ['maxLength', 'minLength'],
  type: 'string',
  schemaType: 'number',
  $data: true,
  error: {
    message: ({ keyword, schemaCode }) => str`must NOT have ${keyword === 'maxLength' ? 'more' : 'fewer'} than ${schemaCode} characters`,
    params: ({ schemaCode }) => _`{limit: ${schemaCode}}`,
  },
  code(cxt: KeywordCxt) {
    const { keyword, data, schemaCode, gen } = cxt;
    // By reference: log0 compiles its validators at run time, never as standalone code.
    const codePoints = gen.scopeValue('func', { ref: ucs2length });
    cxt.fail$data(
      keyword === 'maxLength'
        ? _`${data}.length > ${schemaCode} && ${codePoints}(${data}) > ${schemaCode}`
        : _`${data}.length < ${schemaCode} || (${data}.length < 2 * ${schemaCode} && ${codePoints}(${data}) < ${schemaCode})`,
    );
  },
};
