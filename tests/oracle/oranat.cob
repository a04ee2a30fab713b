      * oranat.cob - GnuCOBOL oracle for native.cpy: writes native.dat
      * (40 records) and DISPLAYs the layout (L lines) and every field
      * of every record (R lines) for tests/oracle/oracle.py.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. ORANAT.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT OUT-FILE ASSIGN TO "native.dat"
               ORGANIZATION IS SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  OUT-FILE.
       COPY "native.cpy".
       WORKING-STORAGE SECTION.
       COPY "oracle-ws.cpy".
       PROCEDURE DIVISION.
       MAIN.
           DISPLAY "L NT-ID Z " LENGTH OF NT-ID
           DISPLAY "L NT-S4 N " LENGTH OF NT-S4
           DISPLAY "L NT-U4 N " LENGTH OF NT-U4
           DISPLAY "L NT-S9 N " LENGTH OF NT-S9
           DISPLAY "L NT-U9 N " LENGTH OF NT-U9
           DISPLAY "L NT-S18 N " LENGTH OF NT-S18
           DISPLAY "L NT-F4 F4 " LENGTH OF NT-F4
           DISPLAY "L NT-F8 F8 " LENGTH OF NT-F8
           DISPLAY "L NT-NAME T " LENGTH OF NT-NAME
           OPEN OUTPUT OUT-FILE
           PERFORM VARYING W-I FROM 1 BY 1 UNTIL W-I > W-RECORDS
               MOVE W-I TO NT-ID
               PERFORM RND
               MOVE W-BIG TO NT-S4
               PERFORM RND
               MOVE W-BIG TO NT-U4
               PERFORM RND
               MOVE W-BIG TO NT-S9
               PERFORM RND
               MOVE W-BIG TO NT-U9
               PERFORM RND
               MOVE W-BIG TO NT-S18
               PERFORM RND
               MOVE W-BIG TO NT-F4
               PERFORM RND
               MOVE W-BIG TO NT-F8
               MOVE W-TEXT(W-PICK) TO NT-NAME
               WRITE NAT-RECORD
               MOVE NT-ID TO W-EDIT
               DISPLAY "R " W-I " NT-ID " W-EDIT
               MOVE NT-S4 TO W-EDIT
               DISPLAY "R " W-I " NT-S4 " W-EDIT
               MOVE NT-U4 TO W-EDIT
               DISPLAY "R " W-I " NT-U4 " W-EDIT
               MOVE NT-S9 TO W-EDIT
               DISPLAY "R " W-I " NT-S9 " W-EDIT
               MOVE NT-U9 TO W-EDIT
               DISPLAY "R " W-I " NT-U9 " W-EDIT
               MOVE NT-S18 TO W-EDIT
               DISPLAY "R " W-I " NT-S18 " W-EDIT
               DISPLAY "R " W-I " NT-F4 " NT-F4
               DISPLAY "R " W-I " NT-F8 " NT-F8
               DISPLAY "R " W-I " NT-NAME " NT-NAME
           END-PERFORM
           CLOSE OUT-FILE
           STOP RUN.
       COPY "oracle-rnd.cpy".
