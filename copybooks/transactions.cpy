      *****************************************************************
      * TRANSACTIONS - card transaction history extract.
      * RECFM FB, LRECL 150, EBCDIC (cp037) unless generated otherwise.
      * Sorted by TRAN-ACCOUNT-KEY, then posting date and time.
      * Written by datasets/cbzgen.c (cbzgen transactions).
      *****************************************************************
       01  TRAN-RECORD.
           05  TRAN-ACCOUNT-KEY          PIC 9(12).
           05  TRAN-ID                   PIC 9(15)      COMP-3.
           05  TRAN-POST-DATE            PIC 9(8).
           05  TRAN-POST-TIME            PIC 9(6).
           05  TRAN-TYPE                 PIC X(2).
               88  TRAN-PURCHASE         VALUE 'PU'.
               88  TRAN-REFUND           VALUE 'RF'.
               88  TRAN-CASH-ADVANCE     VALUE 'CA'.
               88  TRAN-FEE              VALUE 'FE'.
           05  TRAN-AMOUNT               PIC S9(9)V99   COMP-3.
           05  TRAN-CURRENCY             PIC X(3).
           05  TRAN-MERCHANT.
               10  MERCH-ID              PIC 9(9)       COMP.
               10  MERCH-NAME            PIC X(30).
               10  MERCH-CITY            PIC X(20).
               10  MERCH-COUNTRY         PIC X(2).
               10  MERCH-MCC             PIC 9(4).
           05  TRAN-STATUS               PIC X.
               88  TRAN-APPROVED         VALUE 'A'.
               88  TRAN-DECLINED         VALUE 'D'.
           05  TRAN-AUTH-CODE            PIC X(6).
           05  TRAN-CHANNEL              PIC X.
           05  TRAN-BILLING-AMOUNT       PIC S9(9)V99   COMP-3.
           05  TRAN-FX-RATE              PIC 9(3)V9(6)  COMP-3.
           05  TRAN-REWARD-POINTS        PIC S9(7)      COMP-3.
           05  TRAN-CARD-LAST4           PIC 9(4).
           05  TRAN-RUNNING-BALANCE      PIC S9(9)V99.
           05  FILLER                    PIC X(7).
