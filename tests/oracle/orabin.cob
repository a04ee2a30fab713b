      * orabin.cob - GnuCOBOL oracle for binary.cpy: writes binary.dat
      * (40 records) and DISPLAYs the layout (L lines) and every field
      * of every record (R lines) for tests/oracle/oracle.py.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. ORABIN.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT OUT-FILE ASSIGN TO "binary.dat"
               ORGANIZATION IS SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  OUT-FILE.
       COPY "binary.cpy".
       WORKING-STORAGE SECTION.
       COPY "oracle-ws.cpy".
       PROCEDURE DIVISION.
       MAIN.
           DISPLAY "L BN-ID Z " LENGTH OF BN-ID
           DISPLAY "L BN-S1 B " LENGTH OF BN-S1
           DISPLAY "L BN-S4 B " LENGTH OF BN-S4
           DISPLAY "L BN-U4 B " LENGTH OF BN-U4
           DISPLAY "L BN-S5 B " LENGTH OF BN-S5
           DISPLAY "L BN-S9 B " LENGTH OF BN-S9
           DISPLAY "L BN-U9 B " LENGTH OF BN-U9
           DISPLAY "L BN-S7V2 B " LENGTH OF BN-S7V2
           DISPLAY "L BN-S10 B " LENGTH OF BN-S10
           DISPLAY "L BN-S18 B " LENGTH OF BN-S18
           DISPLAY "L BN-U18 B " LENGTH OF BN-U18
           DISPLAY "L BN-SV4 B " LENGTH OF BN-SV4
           DISPLAY "L BN-NAME T " LENGTH OF BN-NAME
           OPEN OUTPUT OUT-FILE
           PERFORM VARYING W-I FROM 1 BY 1 UNTIL W-I > W-RECORDS
               MOVE W-I TO BN-ID
               PERFORM RND
               MOVE W-BIG TO BN-S1
               PERFORM RND
               MOVE W-BIG TO BN-S4
               PERFORM RND
               MOVE W-BIG TO BN-U4
               PERFORM RND
               MOVE W-BIG TO BN-S5
               PERFORM RND
               MOVE W-BIG TO BN-S9
               PERFORM RND
               MOVE W-BIG TO BN-U9
               PERFORM RND
               MOVE W-BIG TO BN-S7V2
               PERFORM RND
               MOVE W-BIG TO BN-S10
               PERFORM RND
               MOVE W-BIG TO BN-S18
               PERFORM RND
               MOVE W-BIG TO BN-U18
               PERFORM RND
               MOVE W-BIG TO BN-SV4
               MOVE W-TEXT(W-PICK) TO BN-NAME
               WRITE BIN-RECORD
               MOVE BN-ID TO W-EDIT
               DISPLAY "R " W-I " BN-ID " W-EDIT
               MOVE BN-S1 TO W-EDIT
               DISPLAY "R " W-I " BN-S1 " W-EDIT
               MOVE BN-S4 TO W-EDIT
               DISPLAY "R " W-I " BN-S4 " W-EDIT
               MOVE BN-U4 TO W-EDIT
               DISPLAY "R " W-I " BN-U4 " W-EDIT
               MOVE BN-S5 TO W-EDIT
               DISPLAY "R " W-I " BN-S5 " W-EDIT
               MOVE BN-S9 TO W-EDIT
               DISPLAY "R " W-I " BN-S9 " W-EDIT
               MOVE BN-U9 TO W-EDIT
               DISPLAY "R " W-I " BN-U9 " W-EDIT
               MOVE BN-S7V2 TO W-EDIT
               DISPLAY "R " W-I " BN-S7V2 " W-EDIT
               MOVE BN-S10 TO W-EDIT
               DISPLAY "R " W-I " BN-S10 " W-EDIT
               MOVE BN-S18 TO W-EDIT
               DISPLAY "R " W-I " BN-S18 " W-EDIT
               MOVE BN-U18 TO W-EDIT
               DISPLAY "R " W-I " BN-U18 " W-EDIT
               MOVE BN-SV4 TO W-EDIT
               DISPLAY "R " W-I " BN-SV4 " W-EDIT
               DISPLAY "R " W-I " BN-NAME " BN-NAME
           END-PERFORM
           CLOSE OUT-FILE
           STOP RUN.
       COPY "oracle-rnd.cpy".
