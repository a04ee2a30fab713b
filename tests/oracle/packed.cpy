      * packed.cpy - packed decimal: COMP-3 and PACKED-DECIMAL, signed
      * (sign nibble C/D) and unsigned (F), odd and even digit counts,
      * V scaling, up to 31 digits.
       01  PACK-RECORD.
           05  PK-ID              PIC 9(4).
           05  PK-U1              PIC 9       COMP-3.
           05  PK-S1              PIC S9      COMP-3.
           05  PK-S4              PIC S9(4)   COMP-3.
           05  PK-U5              PIC 9(5)    COMP-3.
           05  PK-S7V2            PIC S9(7)V99 PACKED-DECIMAL.
           05  PK-U6V3            PIC 9(6)V999 COMP-3.
           05  PK-SV5             PIC SV9(5)  COMP-3.
           05  PK-S18             PIC S9(18)  COMP-3.
           05  PK-S13V18          PIC S9(13)V9(18) COMP-3.
           05  PK-NAME            PIC X(10).
