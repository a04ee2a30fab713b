      *****************************************************************
      * LEDGER - general ledger balances with the year's entries.
      * RECFM FB, LRECL 655: LDG-ENTRY is OCCURS DEPENDING ON, but the
      * records are written at their maximum size and the unused
      * entries hold spaces (as Cobrix's test1 data does).
      * Written by datasets/cbzgen.c (cbzgen ledger).
      *****************************************************************
       01  LEDGER-RECORD.
           05  LDG-ACCOUNT-NO            PIC 9(10).
           05  LDG-BRANCH                PIC 9(4).
           05  LDG-GL-CODE               PIC X(8).
           05  LDG-CURRENCY              PIC X(3).
           05  LDG-FISCAL-YEAR           PIC 9(4).
           05  LDG-OPENING-BALANCE       PIC S9(13)V99  COMP-3.
           05  LDG-MONTHLY-BALANCE       PIC S9(13)V99  COMP-3
                                         OCCURS 12 TIMES.
           05  LDG-ENTRY-COUNT           PIC S9(4)      COMP.
           05  LDG-ENTRY                 OCCURS 0 TO 20 TIMES
                                         DEPENDING ON LDG-ENTRY-COUNT.
               10  ENT-DATE              PIC 9(8).
               10  ENT-REF               PIC X(10).
               10  ENT-AMOUNT            PIC S9(11)V99  COMP-3.
               10  ENT-DC                PIC X.
