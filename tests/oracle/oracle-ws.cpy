      * oracle-ws.cpy - working storage shared by the oracle programs:
      * the record counter, the value source W-BIG and the edited
      * picture every number is DISPLAYed through.
       01  W-I                 PIC 9(4).
       01  W-RECORDS           PIC 9(4) VALUE 40.
       01  W-SEED              PIC S9(31) COMP-3 VALUE 20260115.
       01  W-INT               PIC S9(18) COMP-3.
       01  W-FRAC              PIC S9(18) COMP-3.
       01  W-T                 PIC S9(31) COMP-3.
       01  W-DIGITS            PIC 9(2).
       01  W-BIG               PIC S9(20)V9(18) COMP-3.
       01  W-EDIT              PIC -(21)9.9(18).
       01  W-PICK              PIC 9(2).
       01  W-TEXTS.
           05  FILLER          PIC X(20) VALUE "ACME CORP".
           05  FILLER          PIC X(20) VALUE "O'Brien & Sons, Ltd".
           05  FILLER          PIC X(20) VALUE "  leading spaces".
           05  FILLER          PIC X(20) VALUE "a/b-c_d:e;f(g)h*i%j".
           05  FILLER          PIC X(20) VALUE "12345678901234567890".
           05  FILLER          PIC X(20) VALUE SPACES.
           05  FILLER          PIC X(20) VALUE "Zurich #7 <x@y.z>".
           05  FILLER          PIC X(20) VALUE "QUOTE ""IT"" !?".
       01  W-TEXT-TABLE REDEFINES W-TEXTS.
           05  W-TEXT          PIC X(20) OCCURS 8 TIMES.
       01  W-ALPHAS.
           05  FILLER          PIC A(8) VALUE "ALPHA".
           05  FILLER          PIC A(8) VALUE "be ta".
           05  FILLER          PIC A(8) VALUE SPACES.
           05  FILLER          PIC A(8) VALUE "ZZZZZZZZ".
       01  W-ALPHA-TABLE REDEFINES W-ALPHAS.
           05  W-ALPHA         PIC A(8) OCCURS 4 TIMES.
