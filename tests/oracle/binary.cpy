      * binary.cpy - big-endian binary: COMP, COMP-4 and BINARY, signed
      * and unsigned, at each IBM size (2, 4, 8 bytes), with V scaling.
       01  BIN-RECORD.
           05  BN-ID              PIC 9(4).
           05  BN-S1              PIC S9      COMP.
           05  BN-S4              PIC S9(4)   COMP.
           05  BN-U4              PIC 9(4)    COMP.
           05  BN-S5              PIC S9(5)   BINARY.
           05  BN-S9              PIC S9(9)   COMP.
           05  BN-U9              PIC 9(9)    COMP-4.
           05  BN-S7V2            PIC S9(7)V99 COMP.
           05  BN-S10             PIC S9(10)  BINARY.
           05  BN-S18             PIC S9(18)  COMP.
           05  BN-U18             PIC 9(18)   COMP-4.
           05  BN-SV4             PIC SV9(4)  COMP.
           05  BN-NAME            PIC X(10).
