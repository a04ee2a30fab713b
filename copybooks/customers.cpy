      *****************************************************************
      * CUSTOMERS - customer master extract.
      * RECFM FB, LRECL 360, EBCDIC (cp037) unless generated otherwise.
      * Sorted by CUST-ID.  Unused address and phone slots hold spaces
      * with zero numeric fields.
      * Written by datasets/cbzgen.c (cbzgen customers).
      *****************************************************************
       01  CUSTOMER-RECORD.
           05  CUST-ID                   PIC 9(10).
           05  CUST-NAME.
               10  CUST-LAST-NAME        PIC X(25).
               10  CUST-FIRST-NAME       PIC X(20).
               10  CUST-MIDDLE-INIT      PIC X.
           05  CUST-BIRTH-DATE           PIC 9(8).
           05  CUST-GENDER               PIC X.
           05  CUST-SEGMENT              PIC X(2).
           05  CUST-STATUS               PIC X.
               88  CUST-ACTIVE           VALUE 'A'.
               88  CUST-CLOSED           VALUE 'C'.
               88  CUST-DORMANT          VALUE 'D'.
           05  CUST-OPEN-DATE            PIC 9(8).
           05  CUST-ADDRESS-COUNT        PIC 9.
           05  CUST-ADDRESS              OCCURS 3 TIMES.
               10  ADDR-TYPE             PIC X.
               10  ADDR-LINE-1           PIC X(30).
               10  ADDR-CITY             PIC X(20).
               10  ADDR-STATE            PIC X(2).
               10  ADDR-ZIP              PIC 9(5).
               10  ADDR-COUNTRY          PIC X(2).
           05  CUST-PHONE-COUNT          PIC 9.
           05  CUST-PHONE                OCCURS 2 TIMES.
               10  PHONE-TYPE            PIC X.
               10  PHONE-NUMBER          PIC 9(10).
           05  CUST-EMAIL                PIC X(40).
           05  CUST-BALANCE              PIC S9(11)V99  COMP-3.
           05  CUST-CREDIT-LIMIT         PIC S9(9)      COMP.
           05  CUST-RISK-SCORE           PIC 9(3)       COMP.
           05  CUST-LAST-ACTIVITY        PIC 9(8).
           05  FILLER                    PIC X(19).
