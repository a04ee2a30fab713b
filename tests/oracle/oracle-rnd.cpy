      * oracle-rnd.cpy - paragraph RND: the next value in W-BIG.
      * Records 1-5 are edge cases (all nines, all nines negative, zero,
      * all ones, a long mixed value); later records are pseudo-random
      * (a 48-bit LCG) with a random number of integer digits and a
      * random sign.  MOVE W-BIG TO field keeps the digits that fit,
      * which is exactly COBOL's own truncation rule.
       RND.
           EVALUATE W-I
             WHEN 1
               MOVE 99999999999999999999.999999999999999999 TO W-BIG
             WHEN 2
               MOVE -99999999999999999999.999999999999999999 TO W-BIG
             WHEN 3
               MOVE 0 TO W-BIG
             WHEN 4
               MOVE 11111111111111111111.111111111111111111 TO W-BIG
             WHEN 5
               MOVE -12345678901234567890.123456789012345678 TO W-BIG
             WHEN OTHER
               PERFORM NEXT-SEED
               COMPUTE W-INT =
                   FUNCTION MOD(W-SEED, 1000000000000000000)
               PERFORM NEXT-SEED
               COMPUTE W-FRAC =
                   FUNCTION MOD(W-SEED, 1000000000000000000)
               PERFORM NEXT-SEED
               COMPUTE W-T = W-SEED / 1000
               COMPUTE W-DIGITS = FUNCTION MOD(W-T, 19)
               COMPUTE W-BIG = FUNCTION MOD(W-INT, 10 ** W-DIGITS)
                             + W-FRAC / 1000000000000000000
               COMPUTE W-T = W-SEED / 7
               IF FUNCTION MOD(W-T, 3) = 0
                   COMPUTE W-BIG = 0 - W-BIG
               END-IF
           END-EVALUATE
           COMPUTE W-T = W-SEED / 11
           COMPUTE W-PICK = FUNCTION MOD(W-T, 8) + 1.
       NEXT-SEED.
           COMPUTE W-SEED = FUNCTION MOD(W-SEED * 25214903917 + 11,
                                         281474976710656).
