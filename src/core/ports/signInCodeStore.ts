// The metadata port's part for sign-in links (issue 15; docs/decisions.md 114): one-time codes,
// kept only as hashes, each usable once before its expiry.

/** Why a code could not be used: never issued (or its user deleted), used already, or expired. */
export type SignInCodeRefusal = 'unknown' | 'used' | 'expired';

export interface SignInCodeStore {
  /** USER_NOT_FOUND if the user does not exist. */
  create(input: { userId: number; codeHash: string; createdAt: number; expiresAt: number }): Promise<{ id: number }>;
  /**
   * Marks the code used at `at` if it is unused and `at` is before its expiry, atomically: of two
   * concurrent calls with the same code, one gets the user id, the other 'used'.
   */
  consume(input: { codeHash: string; at: number }): Promise<{ userId: number } | { refused: SignInCodeRefusal }>;
}
