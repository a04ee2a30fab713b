      * display.cpy - every USAGE DISPLAY numeric form: unsigned,
      * signed with the sign overpunched (trailing, leading) or in a
      * separate byte (trailing, leading), V scaling, P scaling,
      * and the text categories X and A.
       01  DISP-RECORD.
           05  DS-ID              PIC 9(4).
           05  DS-NAME            PIC X(20).
           05  DS-ALPHA           PIC A(8).
           05  DS-U1              PIC 9.
           05  DS-U9              PIC 9(9).
           05  DS-U7V2            PIC 9(7)V99.
           05  DS-S5              PIC S9(5).
           05  DS-S5-TRAIL        PIC S9(5) SIGN IS TRAILING.
           05  DS-S5-LEAD         PIC S9(5) SIGN IS LEADING.
           05  DS-S7V2-TSEP       PIC S9(7)V99
                                  SIGN TRAILING SEPARATE.
           05  DS-S7V2-LSEP       PIC S9(7)V99
                                  SIGN LEADING SEPARATE CHARACTER.
           05  DS-SV3             PIC SV999.
           05  DS-S18             PIC S9(18).
           05  DS-U4V4            PIC 9(4)V9(4).
           05  DS-S3PP            PIC S9(3)PP.
           05  DS-S1-LEAD         PIC S9 SIGN LEADING.
           05  DS-TAIL            PIC X(6).
