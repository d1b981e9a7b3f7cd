/**
 * Shared by the zod lessons' suites: what a failure message shows of a parse that was refused.
 */

/**
 * Where and which rule, for each zod issue: the parts that do not depend on zod's wording. Takes
 * `result.error?.issues` as it is, so a parse that succeeded (no error) gives [].
 */
export const pathsAndCodes = (issues: readonly { path: readonly PropertyKey[]; code: string }[] | undefined) =>
  (issues ?? []).map((issue) => ({ path: [...issue.path], code: issue.code }));
