/**
 * The page's byte encodings are audit/tlog/encoding.ts itself (plain JavaScript, no Buffer): one home for
 * strict base64, base64url, UTF-8 and the byte helpers, shared with the Node verifiers.
 */
export { concatBytes, equalBytes, fromBase64, fromBase64Url, toBase64, toBase64Url, toHex, utf8, utf8Length } from '../../../../audit/tlog/encoding.js';
