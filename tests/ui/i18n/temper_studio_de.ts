<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Written for the translation test only: a few of the main window's strings in German, so the
     test can see the mechanism switch them. The studio ships English; translations arrive later. -->
<TS version="2.1" language="de">
<context>
    <name>temper::studio::MainWindow</name>
    <message>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <source>New run</source>
        <translation>Neuer Lauf</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergleichen</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message numerus="yes">
        <source>%n live run(s)</source>
        <translation>
            <numerusform>%n laufender Lauf</numerusform>
            <numerusform>%n laufende Läufe</numerusform>
        </translation>
    </message>
</context>
</TS>
