      * orapack.cob - GnuCOBOL oracle for packed.cpy: writes packed.dat
      * (40 records) and DISPLAYs the layout (L lines) and every field
      * of every record (R lines) for tests/oracle/oracle.py.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. ORAPACK.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT OUT-FILE ASSIGN TO "packed.dat"
               ORGANIZATION IS SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  OUT-FILE.
       COPY "packed.cpy".
       WORKING-STORAGE SECTION.
       COPY "oracle-ws.cpy".
       PROCEDURE DIVISION.
       MAIN.
           DISPLAY "L PK-ID Z " LENGTH OF PK-ID
           DISPLAY "L PK-U1 P " LENGTH OF PK-U1
           DISPLAY "L PK-S1 P " LENGTH OF PK-S1
           DISPLAY "L PK-S4 P " LENGTH OF PK-S4
           DISPLAY "L PK-U5 P " LENGTH OF PK-U5
           DISPLAY "L PK-S7V2 P " LENGTH OF PK-S7V2
           DISPLAY "L PK-U6V3 P " LENGTH OF PK-U6V3
           DISPLAY "L PK-SV5 P " LENGTH OF PK-SV5
           DISPLAY "L PK-S18 P " LENGTH OF PK-S18
           DISPLAY "L PK-S13V18 P " LENGTH OF PK-S13V18
           DISPLAY "L PK-NAME T " LENGTH OF PK-NAME
           OPEN OUTPUT OUT-FILE
           PERFORM VARYING W-I FROM 1 BY 1 UNTIL W-I > W-RECORDS
               MOVE W-I TO PK-ID
               PERFORM RND
               MOVE W-BIG TO PK-U1
               PERFORM RND
               MOVE W-BIG TO PK-S1
               PERFORM RND
               MOVE W-BIG TO PK-S4
               PERFORM RND
               MOVE W-BIG TO PK-U5
               PERFORM RND
               MOVE W-BIG TO PK-S7V2
               PERFORM RND
               MOVE W-BIG TO PK-U6V3
               PERFORM RND
               MOVE W-BIG TO PK-SV5
               PERFORM RND
               MOVE W-BIG TO PK-S18
               PERFORM RND
               MOVE W-BIG TO PK-S13V18
               MOVE W-TEXT(W-PICK) TO PK-NAME
               WRITE PACK-RECORD
               MOVE PK-ID TO W-EDIT
               DISPLAY "R " W-I " PK-ID " W-EDIT
               MOVE PK-U1 TO W-EDIT
               DISPLAY "R " W-I " PK-U1 " W-EDIT
               MOVE PK-S1 TO W-EDIT
               DISPLAY "R " W-I " PK-S1 " W-EDIT
               MOVE PK-S4 TO W-EDIT
               DISPLAY "R " W-I " PK-S4 " W-EDIT
               MOVE PK-U5 TO W-EDIT
               DISPLAY "R " W-I " PK-U5 " W-EDIT
               MOVE PK-S7V2 TO W-EDIT
               DISPLAY "R " W-I " PK-S7V2 " W-EDIT
               MOVE PK-U6V3 TO W-EDIT
               DISPLAY "R " W-I " PK-U6V3 " W-EDIT
               MOVE PK-SV5 TO W-EDIT
               DISPLAY "R " W-I " PK-SV5 " W-EDIT
               MOVE PK-S18 TO W-EDIT
               DISPLAY "R " W-I " PK-S18 " W-EDIT
               MOVE PK-S13V18 TO W-EDIT
               DISPLAY "R " W-I " PK-S13V18 " W-EDIT
               DISPLAY "R " W-I " PK-NAME " PK-NAME
           END-PERFORM
           CLOSE OUT-FILE
           STOP RUN.
       COPY "oracle-rnd.cpy".
