      * Test copybook: a record that takes its address block from a COPY
      * member (found with -I tests/copybooks/members) with REPLACING.
       01  CUSTOMER-REC.
           05  CUST-ID            PIC 9(6).
           COPY CUSTADDR REPLACING ==:PFX:== BY ==CUST==
                                   ==X(20)== BY ==X(25)==.
           05  CUST-BALANCE       PIC S9(7)V99 COMP-3.
