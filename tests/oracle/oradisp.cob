      * oradisp.cob - GnuCOBOL oracle for USAGE DISPLAY numbers and
      * text: writes display.dat (40 records of display.cpy) and
      * DISPLAYs the layout (L lines) and every field of every record
      * (R lines) for tests/oracle/oracle.py to compare with cobzip.
       IDENTIFICATION DIVISION.
       PROGRAM-ID. ORADISP.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT OUT-FILE ASSIGN TO "display.dat"
               ORGANIZATION IS SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  OUT-FILE.
       COPY "display.cpy".
       WORKING-STORAGE SECTION.
       COPY "oracle-ws.cpy".
       PROCEDURE DIVISION.
       MAIN.
           DISPLAY "L DS-ID Z " LENGTH OF DS-ID
           DISPLAY "L DS-NAME T " LENGTH OF DS-NAME
           DISPLAY "L DS-ALPHA T " LENGTH OF DS-ALPHA
           DISPLAY "L DS-U1 Z " LENGTH OF DS-U1
           DISPLAY "L DS-U9 Z " LENGTH OF DS-U9
           DISPLAY "L DS-U7V2 Z " LENGTH OF DS-U7V2
           DISPLAY "L DS-S5 ZT " LENGTH OF DS-S5
           DISPLAY "L DS-S5-TRAIL ZT " LENGTH OF DS-S5-TRAIL
           DISPLAY "L DS-S5-LEAD ZL " LENGTH OF DS-S5-LEAD
           DISPLAY "L DS-S7V2-TSEP Z " LENGTH OF DS-S7V2-TSEP
           DISPLAY "L DS-S7V2-LSEP Z " LENGTH OF DS-S7V2-LSEP
           DISPLAY "L DS-SV3 ZT " LENGTH OF DS-SV3
           DISPLAY "L DS-S18 ZT " LENGTH OF DS-S18
           DISPLAY "L DS-U4V4 Z " LENGTH OF DS-U4V4
           DISPLAY "L DS-S3PP ZT " LENGTH OF DS-S3PP
           DISPLAY "L DS-S1-LEAD ZL " LENGTH OF DS-S1-LEAD
           DISPLAY "L DS-TAIL T " LENGTH OF DS-TAIL
           OPEN OUTPUT OUT-FILE
           PERFORM VARYING W-I FROM 1 BY 1 UNTIL W-I > W-RECORDS
               MOVE W-I TO DS-ID
               PERFORM RND
               MOVE W-TEXT(W-PICK) TO DS-NAME
               MOVE W-ALPHA(FUNCTION MOD(W-PICK, 4) + 1) TO DS-ALPHA
               MOVE W-BIG TO DS-U1
               PERFORM RND
               MOVE W-BIG TO DS-U9
               PERFORM RND
               MOVE W-BIG TO DS-U7V2
               PERFORM RND
               MOVE W-BIG TO DS-S5
               PERFORM RND
               MOVE W-BIG TO DS-S5-TRAIL
               PERFORM RND
               MOVE W-BIG TO DS-S5-LEAD
               PERFORM RND
               MOVE W-BIG TO DS-S7V2-TSEP
               PERFORM RND
               MOVE W-BIG TO DS-S7V2-LSEP
               PERFORM RND
               MOVE W-BIG TO DS-SV3
               PERFORM RND
               MOVE W-BIG TO DS-S18
               PERFORM RND
               MOVE W-BIG TO DS-U4V4
               PERFORM RND
               MOVE W-BIG TO DS-S3PP
               PERFORM RND
               MOVE W-BIG TO DS-S1-LEAD
               MOVE W-TEXT(9 - W-PICK) TO DS-TAIL
               WRITE DISP-RECORD
               DISPLAY "R " W-I " DS-ID " DS-ID
               DISPLAY "R " W-I " DS-NAME " DS-NAME
               DISPLAY "R " W-I " DS-ALPHA " DS-ALPHA
               MOVE DS-U1 TO W-EDIT
               DISPLAY "R " W-I " DS-U1 " W-EDIT
               MOVE DS-U9 TO W-EDIT
               DISPLAY "R " W-I " DS-U9 " W-EDIT
               MOVE DS-U7V2 TO W-EDIT
               DISPLAY "R " W-I " DS-U7V2 " W-EDIT
               MOVE DS-S5 TO W-EDIT
               DISPLAY "R " W-I " DS-S5 " W-EDIT
               MOVE DS-S5-TRAIL TO W-EDIT
               DISPLAY "R " W-I " DS-S5-TRAIL " W-EDIT
               MOVE DS-S5-LEAD TO W-EDIT
               DISPLAY "R " W-I " DS-S5-LEAD " W-EDIT
               MOVE DS-S7V2-TSEP TO W-EDIT
               DISPLAY "R " W-I " DS-S7V2-TSEP " W-EDIT
               MOVE DS-S7V2-LSEP TO W-EDIT
               DISPLAY "R " W-I " DS-S7V2-LSEP " W-EDIT
               MOVE DS-SV3 TO W-EDIT
               DISPLAY "R " W-I " DS-SV3 " W-EDIT
               MOVE DS-S18 TO W-EDIT
               DISPLAY "R " W-I " DS-S18 " W-EDIT
               MOVE DS-U4V4 TO W-EDIT
               DISPLAY "R " W-I " DS-U4V4 " W-EDIT
               MOVE DS-S3PP TO W-EDIT
               DISPLAY "R " W-I " DS-S3PP " W-EDIT
               MOVE DS-S1-LEAD TO W-EDIT
               DISPLAY "R " W-I " DS-S1-LEAD " W-EDIT
               DISPLAY "R " W-I " DS-TAIL " DS-TAIL
           END-PERFORM
           CLOSE OUT-FILE
           STOP RUN.
       COPY "oracle-rnd.cpy".
