      * native.cpy - COMP-5 (full binary range) and the floating types
      * COMP-1 / COMP-2.  GnuCOBOL writes these in host byte order; the
      * oracle turns them big-endian before cobzip reads the file.
       01  NAT-RECORD.
           05  NT-ID              PIC 9(4).
           05  NT-S4              PIC S9(4)   COMP-5.
           05  NT-U4              PIC 9(4)    COMP-5.
           05  NT-S9              PIC S9(9)   COMP-5.
           05  NT-U9              PIC 9(9)    COMP-5.
           05  NT-S18             PIC S9(18)  COMP-5.
           05  NT-F4              COMP-1.
           05  NT-F8              COMP-2.
           05  NT-NAME            PIC X(10).
