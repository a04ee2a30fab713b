      *****************************************************************
      * VB - account statement file, RECFM VB (BDW + RDW, IBM
      * big-endian, lengths include the 4-byte headers), BLKSIZE 27998.
      * Two segments chosen by SEGMENT-ID:
      *   'H' header, 97 bytes:  convert --select 'SEGMENT-ID=H:HEADER-SEG'
      *   'D' detail, 72 bytes:  convert --select 'SEGMENT-ID=D:DETAIL-SEG'
      * Each header is followed by its HDR-DETAIL-COUNT details.
      * Written by datasets/cbzgen.c (cbzgen vb).
      *****************************************************************
       01  ACCT-RECORD.
           05  SEGMENT-ID                PIC X.
               88  SEG-HEADER            VALUE 'H'.
               88  SEG-DETAIL            VALUE 'D'.
           05  HEADER-SEG.
               10  HDR-ACCOUNT-NO        PIC 9(10).
               10  HDR-CUSTOMER-NAME     PIC X(30).
               10  HDR-ADDRESS           PIC X(30).
               10  HDR-OPEN-DATE         PIC 9(8).
               10  HDR-BRANCH            PIC 9(4).
               10  HDR-PRODUCT           PIC X(4).
               10  HDR-DETAIL-COUNT      PIC 9(5)       COMP-3.
               10  HDR-BALANCE           PIC S9(11)V99  COMP-3.
           05  DETAIL-SEG REDEFINES HEADER-SEG.
               10  DTL-ACCOUNT-NO        PIC 9(10).
               10  DTL-SEQ               PIC 9(5)       COMP-3.
               10  DTL-DATE              PIC 9(8).
               10  DTL-TRAN-CODE         PIC X(3).
               10  DTL-AMOUNT            PIC S9(9)V99   COMP-3.
               10  DTL-DESCRIPTION       PIC X(40).
               10  DTL-CHANNEL           PIC X.
