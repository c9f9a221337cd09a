"""The hand-written corpus of the differential test: requests that must succeed (`CASES`) and
requests that must fail (`ERROR_CASES`), with placeholders for the objects of the corpus at hand
(see `tests.schema.differential.Known`).

Between them they select every field and pass every argument, input field and input enum value
of the schema (`test_differential.test_the_corpus_exercises_the_whole_schema` checks it).
"""

import itertools
from dataclasses import dataclass
from typing import Any

from tests.schema.differential import Case

EVENT_FIELDS = """
  id slug title summary kind format status startDate endDate datePrecision startsAt
  durationMinutes version createdAt updatedAt
"""
STATEMENT_FIELDS = "id text language kind saidOn version createdAt updatedAt"
PARTICIPANT_FIELDS = "id slug kind name description version createdAt updatedAt"
TREATY_FIELDS = (
    "id slug name summary signedOn effectiveOn expiresOn status version createdAt updatedAt"
)
TOPIC_FIELDS = "id slug label description version createdAt updatedAt"
SOURCE_FIELDS = "id slug url title publisher language publishedAt version createdAt updatedAt"
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

LOOKUPS = [
    Case(
        "event by slug, every scalar",
        f"""{{ event(slug: "%EVENT%") {{ {EVENT_FIELDS}
          location {{ name country {{ id slug }} }} }} }}""",
    ),
    Case(
        "event by id and slug",
        '{ event(id: "%EVENT_ID%", slug: "%EVENT%") { id slug } }',
    ),
    Case(
        "event by id with another slug",
        '{ event(id: "%EVENT_ID%", slug: "not-its-slug") { id slug } }',
    ),
    Case("event by unknown slug", '{ event(slug: "no-such-event") { id } }'),
    Case("event by id", '{ event(id: "%EVENT_ID%") { id title } }'),
    Case(
        "event by the id of another type",
        '{ event(id: "%PARTICIPANT_ID%") { id } participant(id: "%EVENT_ID%") { id } }',
    ),
    Case(
        "event lists",
        """{ event(slug: "%EVENT%") {
          participants { role participant { id slug name kind } }
          hosts: participants(role: HOST) { role participant { slug } }
          guests: participants(role: GUEST) { role }
          topics { id slug label }
          treaties { id slug name }
          sources { id slug title }
          relatedEvents { kind event { id slug startDate } }
          precedes: relatedEvents(kind: PRECEDES) { kind event { slug } }
          follows: relatedEvents(kind: FOLLOWS) { kind event { slug } }
        } }""",
    ),
    Case(
        "every participation role and relation kind",
        """{ events(first: 30) { nodes { slug
          p: participants(role: PARTICIPANT) { role }
          m: participants(role: MEDIATOR) { role }
          o: participants(role: OBSERVER) { role }
          c: relatedEvents(kind: CONCURRENT) { kind }
          po: relatedEvents(kind: PART_OF) { kind event { slug } }
          hp: relatedEvents(kind: HAS_PART) { kind event { slug } }
          r: relatedEvents(kind: RELATED) { kind }
        } } }""",
    ),
    Case(
        "statement by id, every field",
        f"""{{ statement(id: "%STATEMENT_ID%") {{ {STATEMENT_FIELDS}
          speaker {{ id slug name }} reportedBy {{ id name }} event {{ id slug }}
          topics {{ id slug }} mentions {{ id slug }} treaties {{ id slug }}
          source {{ id slug }}
        }} }}""",
    ),
    Case(
        "participant by slug, every field",
        f"""{{ participant(slug: "%PARTICIPANT%") {{ {PARTICIPANT_FIELDS}
          fr: name(language: "fr") frCA: name(language: "fr-CA") xx: name(language: "xx")
          upper: name(language: "FR") empty: name(language: "")
          names {{ value language isPrimary }}
          country {{ id slug country {{ id }} }}
          roles {{ title startDate endDate organization {{ id slug name }} }}
          treaties {{ id slug }}
          events(first: 3) {{ totalCount nodes {{ slug }} }}
          statements(first: 3) {{ totalCount nodes {{ id }} }}
        }} }}""",
    ),
    Case(
        "participant by id and slug",
        '{ participant(id: "%PARTICIPANT_ID%", slug: "%PARTICIPANT%") { id slug } }',
    ),
    Case(
        "country participant",
        '{ participant(slug: "%COUNTRY%") { id kind country { id } name(language: "ru") } }',
    ),
    Case(
        "treaty by slug, every field",
        f"""{{ treaty(slug: "%TREATY%") {{ {TREATY_FIELDS}
          ru: name(language: "ru")
          before: status(asOf: "2010-01-01") signed: status(asOf: "2010-04-08")
          inForce: status(asOf: "2015-06-01") later: status(asOf: "2030-01-01")
          names {{ value language isPrimary }}
          milestones {{ kind date note event {{ id slug }} }}
          parties {{ id slug name }}
          events {{ totalCount nodes {{ slug }} }}
          statements {{ totalCount nodes {{ id }} }}
        }} }}""",
    ),
    Case(
        "treaty by id and slug",
        """{ treaty(id: "%TREATY_ID%", slug: "%TREATY%") { id }
          t2: treaty(id: "%TREATY_ID%") { slug } }""",
    ),
    Case(
        "topic by slug, every field",
        f"""{{ topic(slug: "%TOPIC%") {{ {TOPIC_FIELDS}
          fr: label(language: "fr")
          labels {{ value language isPrimary }}
          parent {{ id slug parent {{ slug }} }}
          children {{ id slug }}
          events(first: 2) {{ totalCount nodes {{ slug }} }}
          statements(first: 2) {{ totalCount nodes {{ id }} }}
        }} }}""",
    ),
    Case(
        "topic by id and slug",
        '{ topic(id: "%TOPIC_ID%", slug: "%TOPIC%") { id } t: topic(id: "%TOPIC_ID%") { slug } }',
    ),
    Case(
        "source by id, every field",
        f"""{{ source(id: "%SOURCE_ID%") {{ {SOURCE_FIELDS}
          events {{ id slug }}
          statements(first: 3) {{ totalCount nodes {{ id }} }}
        }} }}""",
    ),
    Case(
        "lookups by variables",
        """query ($id: ID, $slug: String, $statement: ID!, $source: ID!) {
          event(id: $id, slug: $slug) { id }
          statement(id: $statement) { id }
          source(id: $source) { id }
        }""",
        {
            "id": "%EVENT_ID%",
            "slug": "%EVENT%",
            "statement": "%STATEMENT_ID%",
            "source": "%SOURCE_ID%",
        },
    ),
    Case(
        "lookup with a null slug and an id",
        'query ($slug: String) { event(id: "%EVENT_ID%", slug: $slug) { id } }',
        {"slug": None},
    ),
    Case(
        "lookups that find nothing",
        """{ statement(id: "%EVENT_ID%") { id } source(id: "bm90IGFuIGlk") { id }
          treaty(slug: "none") { id } topic(slug: "none") { id } participant(slug: "x") { id } }""",
    ),
    Case(
        "rate limit",
        "{ rateLimit { limit cost remaining resetAt __typename } }",
    ),
    Case(
        "rate limit with lists",
        "{ rateLimit { cost remaining } events(first: 50) { nodes { topics { slug } } } }",
    ),
]

NODES = [
    Case(
        "node of every type",
        """query ($ids: [ID!]!) {
          nodes(ids: $ids) {
            __typename id
            ... on Event { slug title }
            ... on Statement { text speaker { slug } }
            ... on Participant { slug name(language: "fr") }
            ... on Treaty { slug status(asOf: "2026-01-01") }
            ... on Topic { slug label }
            ... on Source { slug publisher }
          }
        }""",
        {
            "ids": [
                "%EVENT_ID%",
                "%STATEMENT_ID%",
                "%PARTICIPANT_ID%",
                "%TREATY_ID%",
                "%TOPIC_ID%",
                "%SOURCE_ID%",
                "not base64 at all!",
                "RXZlbnQ6bm90LWEtdXVpZA==",
                "TmVidWxhOjEyMzQ1Njc4LTEyMzQtMTIzNC0xMjM0LTEyMzQ1Njc4OTAxMg==",
                "RXZlbnQ6MTIzNDU2NzgtMTIzNC0xMjM0LTEyMzQtMTIzNDU2Nzg5MDEy",
                "",
                "%EVENT_ID%",
            ]
        },
    ),
    Case("no nodes", "{ nodes(ids: []) { id } }"),
    Case(
        "node by literal id",
        '{ node(id: "%TREATY_ID%") { id version __typename ... on Treaty { name } } }',
    ),
    Case(
        "node by each id",
        """query ($e: ID!, $s: ID!, $p: ID!, $t: ID!, $o: ID!, $so: ID!) {
          e: node(id: $e) { ...Everything }
          s: node(id: $s) { ...Everything }
          p: node(id: $p) { ...Everything }
          t: node(id: $t) { ...Everything }
          o: node(id: $o) { ...Everything }
          so: node(id: $so) { ...Everything }
        }
        fragment Everything on Node {
          __typename id
          ... on Event { startDate kind }
          ... on Statement { saidOn language }
          ... on Participant { description }
          ... on Treaty { expiresOn }
          ... on Topic { slug }
          ... on Source { publishedAt }
        }""",
        {
            "e": "%EVENT_ID%",
            "s": "%STATEMENT_ID%",
            "p": "%PARTICIPANT_ID%",
            "t": "%TREATY_ID%",
            "o": "%TOPIC_ID%",
            "so": "%SOURCE_ID%",
        },
    ),
    Case(
        "unknown and malformed node ids",
        """{ a: node(id: "not base64 at all!") { id } b: node(id: "RXZlbnQ6bm90LWEtdXVpZA==") { id }
          c: node(id: "RXZlbnQ6MTIzNDU2NzgtMTIzNC0xMjM0LTEyMzQtMTIzNDU2Nzg5MDEy") { id }
          d: node(id: "") { id } e: node(id: "====") { __typename } }""",
    ),
    Case(
        "node with only the typename",
        '{ node(id: "%EVENT_ID%") { __typename } }',
    ),
    Case(
        "node selecting the interface field only",
        '{ node(id: "%PARTICIPANT_ID%") { id } }',
    ),
]

LISTS = [
    Case(
        "root lists, default pages",
        """{
          events { totalCount nodes { slug } }
          statements { totalCount nodes { id } }
          participants { totalCount nodes { slug } }
          treaties { totalCount nodes { slug } }
          topics { totalCount nodes { slug } }
          sources { totalCount nodes { id } }
        }""",
    ),
    Case(
        "connections with every part",
        f"""{{
          events(first: 3) {{ __typename totalCount {PAGE_INFO} nodes {{ id }}
            edges {{ __typename cursor node {{ id slug }} }} }}
          statements(first: 2) {{ totalCount {PAGE_INFO} edges {{ cursor node {{ id }} }} }}
          participants(first: 2) {{ {PAGE_INFO} edges {{ cursor node {{ slug }} }} }}
          treaties(first: 1) {{ edges {{ cursor }} pageInfo {{ __typename endCursor }} }}
          topics(first: 4) {{ edges {{ node {{ slug }} }} totalCount }}
          sources(first: 1) {{ {PAGE_INFO} nodes {{ slug }} edges {{ cursor node {{ id }} }} }}
        }}""",
    ),
    Case("a connection with the count only", "{ events { totalCount } }"),
    Case("a connection with the page info only", f"{{ events(first: 2) {{ {PAGE_INFO} }} }}"),
    Case("a connection with the edges only", "{ events(first: 2) { edges { cursor } } }"),
    Case("a connection with the typename only", "{ events(first: 2) { __typename } }"),
    Case(
        "an empty page",
        f"""{{ events(first: 0) {{ totalCount {PAGE_INFO} nodes {{ id }} edges {{ cursor }} }}
          last: events(last: 0) {{ totalCount {PAGE_INFO} }} }}""",
    ),
    Case(
        "a filtered empty list",
        f"""{{ events(filter: {{slug: {{eq: "nothing"}}}}) {{ totalCount {PAGE_INFO}
          nodes {{ id }} edges {{ cursor node {{ id }} }} }} }}""",
    ),
    Case(
        "nested connections, every part",
        f"""{{ events(first: 5) {{ nodes {{ slug
          statements(first: 2) {{ totalCount {PAGE_INFO} edges {{ cursor node {{ id }} }} }}
          tail: statements(last: 2) {{ totalCount {PAGE_INFO} nodes {{ id }} }}
        }} }} }}""",
    ),
    Case(
        "the largest page",
        "{ statements(first: 100) { totalCount nodes { id speaker { slug } } } }",
    ),
    Case(
        "participants with their record",
        """{ participants(first: 10) { nodes { slug kind
          events(first: 2) { totalCount nodes { slug } }
          statements(last: 1) { totalCount nodes { id } }
          treaties { slug } roles { title organization { slug } }
        } } }""",
    ),
    Case(
        "treaties, topics and sources with their lists",
        """{
          treaties { nodes { slug milestones { kind date event { slug } } parties { slug }
            events(first: 2) { nodes { slug } } statements(first: 2) { nodes { id } } } }
          topics(first: 30) { nodes { slug parent { slug } children { slug }
            events(last: 2) { totalCount nodes { slug } } statements(first: 1) { totalCount } } }
          sources { nodes { slug events { slug } statements(last: 3) { nodes { id } } } }
        }""",
    ),
    Case(
        "statements with every relation",
        """{ statements(first: 40) { nodes { id kind language saidOn
          speaker { slug country { slug } } reportedBy { slug } event { slug location { name } }
          topics { slug } mentions { slug } treaties { slug } source { slug }
        } } }""",
    ),
    Case(
        "events with locations",
        """{ events(first: 40) { nodes { slug location { __typename name
          country { slug name(language: "fr") } } } } }""",
    ),
]

FILTERS = [
    Case(
        "string filter operators",
        """{
          eq: events(filter: {slug: {eq: "%EVENT%"}}) { totalCount nodes { slug } }
          ne: events(filter: {slug: {ne: "%EVENT%"}}) { totalCount }
          in: events(filter: {slug: {in: ["%EVENT%", "nothing"]}}) { totalCount }
          contains: events(filter: {title: {contains: "XI"}}) { totalCount }
          startsWith: events(filter: {title: {startsWith: "xi"}}) { totalCount }
          accents: participants(filter: {name: {contains: "poutine"}}) { nodes { slug } }
          wildcards: events(filter: {title: {contains: "%_"}}) { totalCount }
          isNull: statements(filter: {text: {isNull: false}}) { totalCount }
          emptyIn: events(filter: {slug: {in: []}}) { totalCount }
        }""",
    ),
    Case(
        "int filter operators",
        """{
          eq: events(filter: {durationMinutes: {eq: 85}}) { totalCount }
          gt: events(filter: {durationMinutes: {gt: 60}}) { totalCount }
          gte: events(filter: {durationMinutes: {gte: 85}}) { totalCount }
          lt: events(filter: {durationMinutes: {lt: 90}}) { totalCount }
          lte: events(filter: {durationMinutes: {lte: 85}}) { totalCount }
          isNull: events(filter: {durationMinutes: {isNull: true}}) { totalCount }
          present: events(filter: {durationMinutes: {isNull: false}}) { totalCount }
        }""",
    ),
    Case(
        "date filter operators",
        """{
          eq: events(filter: {startDate: {eq: "2026-02-04"}}) { totalCount }
          gt: events(filter: {startDate: {gt: "2026-01-01"}}) { totalCount }
          gte: events(filter: {startDate: {gte: "2026-02-04"}}) { totalCount }
          lt: events(filter: {startDate: {lt: "2026-01-01"}}) { totalCount }
          lte: events(filter: {endDate: {lte: "2026-12-31"}}) { totalCount }
          isNull: events(filter: {endDate: {isNull: true}}) { totalCount }
          saidOn: statements(filter: {saidOn: {isNull: false, gte: "2020-01-01"}}) { totalCount }
          signedOn: treaties(filter: {signedOn: {lt: "2011-01-01"}}) { totalCount }
          expiresOn: treaties(filter: {expiresOn: {isNull: false}}) { totalCount }
        }""",
    ),
    Case(
        "date-time filter operators",
        """{
          eq: events(filter: {updatedAt: {eq: "2026-02-04T10:00:00+00:00"}}) { totalCount }
          gt: events(filter: {updatedAt: {gt: "2000-01-01T00:00:00Z"}}) { totalCount }
          gte: statements(filter: {updatedAt: {gte: "2000-01-01T00:00:00+02:00"}}) { totalCount }
          lt: participants(filter: {updatedAt: {lt: "2100-01-01T00:00:00Z"}}) { totalCount }
          lte: treaties(filter: {updatedAt: {lte: "2100-01-01T00:00:00.5+00:00"}}) { totalCount }
          published: sources(filter: {publishedAt: {gte: "2026-01-01T00:00:00Z"}}) { totalCount }
        }""",
    ),
    Case(
        "id filter operators",
        """{
          eq: events(filter: {id: {eq: "%EVENT_ID%"}}) { nodes { slug } }
          in: statements(filter: {id: {in: ["%STATEMENT_ID%"]}}) { nodes { id } }
          p: participants(filter: {id: {eq: "%PARTICIPANT_ID%"}}) { totalCount }
          t: treaties(filter: {id: {in: ["%TREATY_ID%", "%TREATY_ID%"]}}) { totalCount }
          o: topics(filter: {id: {eq: "%TOPIC_ID%"}}) { totalCount }
          s: sources(filter: {id: {eq: "%SOURCE_ID%"}}) { totalCount }
          other: events(filter: {id: {eq: "%TOPIC_ID%"}}) { totalCount }
        }""",
    ),
    Case(
        "enum filters",
        """{
          kind: events(filter: {kind: {eq: MEETING}}) { totalCount }
          kinds: events(filter: {kind: {in: [SUMMIT, STATE_VISIT, NEGOTIATION, CEREMONY,
            ANNOUNCEMENT, OTHER]}}) { totalCount }
          format: events(filter: {format: {eq: VIDEO}}) { totalCount }
          formats: events(filter: {format: {in: [IN_PERSON, PHONE, HYBRID, UNKNOWN]}}) {
            totalCount }
          status: events(filter: {status: {eq: HELD}}) { totalCount }
          statuses: events(filter: {status: {in: [PLANNED, POSTPONED, CANCELLED]}}) { totalCount }
          quotes: statements(filter: {kind: {eq: DIRECT_QUOTE}}) { totalCount }
          both: statements(filter: {kind: {in: [DIRECT_QUOTE, PARAPHRASE]}}) { totalCount }
          people: participants(filter: {kind: {eq: PERSON}}) { totalCount }
          others: participants(filter: {kind: {in: [ORGANIZATION, COUNTRY]}}) { totalCount }
          inForce: treaties(filter: {status: {eq: IN_FORCE}}) { totalCount }
          statuses2: treaties(filter: {status: {in: [PROPOSED, SIGNED, SUSPENDED, EXPIRED,
            TERMINATED]}}) { totalCount }
        }""",
    ),
    Case(
        "event filter fields",
        """{ events(filter: {
          title: {isNull: false}, kind: {in: [MEETING, SUMMIT]},
          participants: {some: {slug: {eq: "%PARTICIPANT%"}}},
          topics: {every: {slug: {ne: "nothing"}}},
          treaties: {none: {slug: {eq: "nothing"}}},
          statements: {some: {kind: {eq: DIRECT_QUOTE}}}
        }) { totalCount nodes { slug } } }""",
    ),
    Case(
        "and, or, not",
        """{
          and: events(filter: {and: [{kind: {eq: MEETING}}, {format: {eq: VIDEO}}]}) { totalCount }
          or: events(filter: {or: [{kind: {eq: MEETING}}, {format: {eq: VIDEO}}]}) { totalCount }
          not: events(filter: {not: {kind: {eq: MEETING}}}) { totalCount }
          nested: events(filter: {or: [{and: [{kind: {eq: SUMMIT}}]}, {not: {or: []}}]}) {
            totalCount }
          emptyAnd: events(filter: {and: []}) { totalCount }
          notNull: events(filter: {not: {endDate: {isNull: true}}}) { totalCount }
          s: statements(filter: {or: [{kind: {eq: PARAPHRASE}}], and: [{language: {eq: "fr"}}],
            not: {text: {contains: "Chine"}}}) { totalCount }
          p: participants(filter: {or: [{kind: {eq: PERSON}}], and: [{slug: {startsWith: "x"}}],
            not: {kind: {eq: COUNTRY}}}) { totalCount }
          t: treaties(filter: {or: [{slug: {eq: "new-start"}}], and: [], not: {name: {eq: "x"}}}) {
            totalCount }
          o: topics(filter: {or: [{slug: {contains: "a"}}], and: [{label: {contains: "e"}}],
            not: {slug: {eq: "trade"}}}) { totalCount }
          so: sources(filter: {or: [{language: {eq: "fr"}}], and: [{publisher: {isNull: false}}],
            not: {language: {eq: "en"}}}) { totalCount }
        }""",
    ),
    Case(
        "statement filter fields",
        """{ statements(filter: {
          text: {contains: "a"}, language: {in: ["fr", "en"]}, kind: {eq: PARAPHRASE},
          speaker: {kind: {eq: PERSON}}, reportedBy: {slug: {isNull: false}},
          event: {slug: {eq: "%EVENT%"}},
          topics: {some: {slug: {isNull: false}}},
          mentions: {every: {kind: {eq: COUNTRY}}},
          treaties: {none: {slug: {eq: "new-start"}}},
          saidOn: {lte: "2030-01-01"}
        }) { totalCount nodes { id } } }""",
    ),
    Case(
        "participant filter fields",
        """{ participants(filter: {
          slug: {ne: "nothing"}, kind: {in: [PERSON, COUNTRY]}, name: {startsWith: "V"},
          country: {slug: {eq: "%COUNTRY%"}},
          events: {some: {slug: {eq: "%EVENT%"}}, every: {kind: {eq: null}},
            none: {slug: {eq: "x"}}}
        }) { totalCount nodes { slug } } }""",
    ),
    Case(
        "treaty filter fields",
        """{ treaties(filter: {
          slug: {startsWith: "n"}, name: {contains: "start"}, status: {in: [EXPIRED, IN_FORCE]},
          signedOn: {gte: "2000-01-01"}, expiresOn: {lte: "2030-01-01"},
          parties: {some: {slug: {eq: "russia"}}, every: {kind: {eq: COUNTRY}},
            none: {slug: {eq: "x"}}}
        }) { totalCount nodes { slug } } }""",
    ),
    Case(
        "topic filter fields",
        """{ topics(filter: {
          slug: {contains: "-"}, label: {contains: "rel"}, parent: {slug: {isNull: false}}
        }) { totalCount nodes { slug parent { slug } } }
        roots: topics(filter: {parent: {id: {in: []}}}) { totalCount } }""",
    ),
    Case(
        "source filter fields",
        """{ sources(filter: {publisher: {eq: "Euronews"}, language: {eq: "fr"},
          publishedAt: {lt: "2030-01-01T00:00:00Z"}}) { totalCount nodes { slug } } }""",
    ),
    Case(
        "list quantifiers on every relation",
        """{
          a: events(filter: {participants: {every: {kind: {eq: PERSON}}}}) { totalCount }
          b: events(filter: {participants: {none: {kind: {eq: PERSON}}}}) { totalCount }
          c: events(filter: {topics: {some: {label: {contains: "nucl"}}}}) { totalCount }
          d: events(filter: {topics: {none: {}}}) { totalCount }
          e: events(filter: {treaties: {some: {}}}) { totalCount }
          f: events(filter: {treaties: {every: {status: {eq: EXPIRED}}}}) { totalCount }
          g: events(filter: {statements: {every: {kind: {eq: DIRECT_QUOTE}}}}) { totalCount }
          h: events(filter: {statements: {none: {}}}) { totalCount }
          i: statements(filter: {topics: {every: {slug: {ne: "trade"}}}}) { totalCount }
          j: statements(filter: {topics: {none: {}}}) { totalCount }
          k: statements(filter: {mentions: {some: {}}}) { totalCount }
          l: statements(filter: {mentions: {none: {kind: {eq: PERSON}}}}) { totalCount }
          m: statements(filter: {treaties: {some: {slug: {eq: "new-start"}}}}) { totalCount }
          n: statements(filter: {treaties: {every: {}}}) { totalCount }
        }""",
    ),
    Case(
        "list quantifiers on participants and treaties",
        """{
          o: participants(filter: {events: {every: {format: {eq: VIDEO}}}}) { totalCount }
          p: participants(filter: {events: {none: {}}}) { totalCount }
          q: treaties(filter: {parties: {none: {kind: {eq: PERSON}}}}) { totalCount }
        }""",
    ),
    Case(
        "deep relation filters",
        """{ statements(filter: {
          speaker: {country: {country: {slug: {isNull: false}}}},
          event: {participants: {some: {events: {some: {topics: {some: {
            parent: {slug: {isNull: false}}}}}}}}}
        }) { totalCount } }""",
    ),
    Case(
        "search in filters",
        """{
          e: events(filter: {search: "Poutine"}) { totalCount nodes { slug } }
          s: statements(filter: {search: "Chine -Russie"}) { totalCount nodes { id } }
          nested: events(filter: {or: [{search: "nucléaire"}, {kind: {eq: SUMMIT}}]}) { totalCount }
          phrase: statements(filter: {search: "\\"relations russo-chinoises\\""}) { totalCount }
          none: events(filter: {search: "zzzzqqq"}) { totalCount nodes { id } }
        }""",
    ),
    Case(
        "nested connection filters",
        """{ event(slug: "%EVENT%") {
          quotes: statements(filter: {kind: {eq: DIRECT_QUOTE}}) { totalCount nodes { id } }
          found: statements(filter: {search: "Chine"}) { totalCount nodes { id } }
          fr: statements(filter: {language: {eq: "fr"}, speaker: {slug: {eq: "%PARTICIPANT%"}}},
            first: 3) { totalCount nodes { id } }
        }
        participant(slug: "%PARTICIPANT%") {
          events(filter: {kind: {in: [MEETING, SUMMIT]}}) { totalCount nodes { slug } }
          statements(filter: {event: {slug: {eq: "%EVENT%"}}}) { totalCount }
        } }""",
    ),
    Case(
        "filters from variables",
        """query ($f: EventFilter, $s: StatementFilter!, $p: ParticipantFilter,
          $t: TreatyFilter, $o: TopicFilter, $so: SourceFilter) {
          events(filter: $f) { totalCount }
          statements(filter: $s) { totalCount }
          participants(filter: $p) { totalCount }
          treaties(filter: $t) { totalCount }
          topics(filter: $o) { totalCount }
          sources(filter: $so) { totalCount }
        }""",
        {
            "f": {
                "startDate": {"gte": "2025-01-01", "lt": "2027-01-01"},
                "kind": {"in": ["MEETING", "STATE_VISIT"]},
                "updatedAt": {"gt": "2000-01-01T00:00:00+00:00"},
                "id": {"in": ["%EVENT_ID%"]},
            },
            "s": {"saidOn": {"eq": "2026-02-04"}, "kind": {"eq": "DIRECT_QUOTE"}},
            "p": {"name": {"in": ["Xi Jinping", "Vladimir Putin"]}},
            "t": {"status": {"eq": "EXPIRED"}, "updatedAt": {"gte": "2000-01-01T00:00:00Z"}},
            "o": {"label": {"startsWith": "Rel"}},
            "so": {"id": {"eq": "%SOURCE_ID%"}, "publishedAt": {"eq": "2026-02-04T00:00:00Z"}},
        },
    ),
    Case(
        "null filters and null operators",
        """query ($f: EventFilter) {
          a: events(filter: null) { totalCount }
          b: events(filter: $f) { totalCount }
          c: events(filter: {slug: null, kind: {eq: null}, and: null}) { totalCount }
        }""",
        {"f": None},
    ),
]

ORDERING = [
    Case(
        "event orders",
        """{
          a: events(first: 5, orderBy: [{field: START_DATE}]) { nodes { slug } }
          b: events(first: 5, orderBy: [{field: START_DATE, direction: DESC}]) { nodes { slug } }
          c: events(first: 5, orderBy: [{field: TITLE, direction: ASC}]) { nodes { title } }
          d: events(first: 5, orderBy: [{field: TITLE, direction: DESC}]) { nodes { title } }
          e: events(first: 5, orderBy: [{field: UPDATED_AT}]) { edges { cursor } }
          f: events(first: 5, orderBy: [{field: UPDATED_AT, direction: DESC}, {field: TITLE}]) {
            edges { cursor node { slug } } }
          g: events(first: 5, orderBy: []) { nodes { slug } }
          h: events(first: 5, orderBy: null) { nodes { slug } }
        }""",
    ),
    Case(
        "relevance orders",
        """{
          a: events(filter: {search: "Chine"}, orderBy: [{field: RELEVANCE, direction: DESC}]) {
            edges { cursor node { slug } } }
          b: events(filter: {search: "Chine"}, orderBy: [{field: RELEVANCE}]) { nodes { slug } }
          c: events(filter: {search: "Chine"}) { nodes { slug } }
          d: statements(filter: {search: "Russie"},
            orderBy: [{field: RELEVANCE, direction: DESC}]) {
            edges { cursor node { id } } }
          e: statements(filter: {search: "Russie"}, orderBy: [{field: RELEVANCE, direction: ASC},
            {field: SAID_ON}]) { nodes { id } }
          f: events(filter: {search: "Chine"}, orderBy: [{field: START_DATE}]) { nodes { slug } }
        }""",
    ),
    Case(
        "statement orders",
        """{
          a: statements(first: 5, orderBy: [{field: POSITION}]) { nodes { id } }
          b: statements(first: 5, orderBy: [{field: POSITION, direction: DESC}]) { nodes { id } }
          c: statements(first: 5, orderBy: [{field: SAID_ON}]) { edges { cursor } }
          d: statements(first: 5, orderBy: [{field: SAID_ON, direction: DESC}]) { nodes { id } }
          e: statements(first: 5, orderBy: [{field: UPDATED_AT}]) { nodes { id } }
          f: statements(first: 5, orderBy: [{field: UPDATED_AT, direction: DESC}]) { nodes { id } }
          g: statements(last: 5, orderBy: [{field: SAID_ON}, {field: POSITION, direction: DESC}]) {
            edges { cursor node { id } } }
        }""",
    ),
    Case(
        "participant and treaty orders",
        """{
          a: participants(first: 5, orderBy: [{field: NAME}]) { nodes { slug } }
          b: participants(first: 5, orderBy: [{field: NAME, direction: DESC}]) { edges { cursor } }
          c: participants(first: 5, orderBy: [{field: UPDATED_AT}]) { nodes { slug } }
          d: participants(first: 5, orderBy: [{field: UPDATED_AT, direction: DESC}]) {
            nodes { slug } }
          e: treaties(orderBy: [{field: NAME}]) { nodes { slug } }
          f: treaties(orderBy: [{field: NAME, direction: DESC}]) { edges { cursor } }
          g: treaties(orderBy: [{field: EXPIRES_ON}]) { nodes { slug } }
          h: treaties(orderBy: [{field: EXPIRES_ON, direction: DESC}]) { edges { cursor } }
          i: treaties(orderBy: [{field: UPDATED_AT}]) { nodes { slug } }
          j: treaties(orderBy: [{field: UPDATED_AT, direction: DESC}]) { nodes { slug } }
        }""",
    ),
    Case(
        "nested orders",
        """{ event(slug: "%EVENT%") {
          a: statements(first: 3, orderBy: [{field: SAID_ON, direction: DESC}]) { nodes { id } }
          b: statements(last: 3, orderBy: [{field: UPDATED_AT}]) { edges { cursor node { id } } }
          c: statements(filter: {search: "Chine"}, orderBy: [{field: RELEVANCE, direction: DESC}],
            first: 3) { edges { cursor node { id } } }
        }
        participant(slug: "%PARTICIPANT%") {
          events(first: 3, orderBy: [{field: TITLE}]) { edges { cursor node { slug } } }
          statements(first: 3, orderBy: [{field: POSITION}]) { nodes { id } }
        } }""",
    ),
    Case(
        "orders from variables",
        """query ($e: [EventOrder!], $s: [StatementOrder!]!, $p: [ParticipantOrder!],
          $t: [TreatyOrder!], $d: OrderDirection!) {
          events(first: 3, orderBy: $e) { nodes { slug } }
          statements(first: 3, orderBy: $s) { nodes { id } }
          participants(first: 3, orderBy: $p) { nodes { slug } }
          treaties(orderBy: $t) { nodes { slug } }
          more: events(first: 3, orderBy: [{field: TITLE, direction: $d}]) { nodes { slug } }
        }""",
        {
            "e": [{"field": "TITLE", "direction": "DESC"}],
            "s": {"field": "SAID_ON"},
            "p": [{"field": "NAME", "direction": "DESC"}],
            "t": None,
            "d": "DESC",
        },
    ),
]

PAGINATION = [
    Case(
        "pages after and before a cursor",
        f"""{{
          after: events(first: 3, after: "%EVENTS_CURSOR%") {{ {PAGE_INFO} nodes {{ slug }} }}
          before: events(last: 3, before: "%EVENTS_CURSOR%") {{ {PAGE_INFO} nodes {{ slug }} }}
          beforeFirst: events(first: 3, before: "%EVENTS_CURSOR%") {{ {PAGE_INFO}
            nodes {{ slug }} }}
          afterLast: events(last: 3, after: "%EVENTS_CURSOR%") {{ {PAGE_INFO} nodes {{ slug }} }}
          both: events(after: "%EVENTS_CURSOR%", before: "%EVENTS_CURSOR%") {{ {PAGE_INFO}
            totalCount }}
          s: statements(first: 2, after: "%STATEMENTS_CURSOR%") {{ {PAGE_INFO} edges {{ cursor }} }}
        }}""",
    ),
    Case(
        "pages from variables",
        f"""query ($first: Int, $last: Int, $after: String, $before: String) {{
          events(first: $first, last: $last, after: $after, before: $before) {{
            totalCount {PAGE_INFO} edges {{ cursor node {{ slug }} }} }}
        }}""",
        {"first": 2, "last": None, "after": "%EVENTS_CURSOR%", "before": None},
    ),
    Case(
        "last pages",
        f"""{{ events(last: 4) {{ {PAGE_INFO} nodes {{ slug }} }}
          statements(last: 1) {{ {PAGE_INFO} edges {{ cursor node {{ id }} }} }}
          participants(last: 3, orderBy: [{{field: NAME}}]) {{ {PAGE_INFO}
            nodes {{ slug }} }} }}""",
    ),
    Case(
        "null page arguments",
        f"""{{ events(first: null, after: null, last: null, before: null) {{
          {PAGE_INFO} totalCount }} }}""",
    ),
    Case(
        "one cursor for the nested pages of many parents",
        f"""{{
          participants(first: 12) {{ nodes {{ slug
            events(first: 2, after: "%PARTICIPANT_EVENTS_CURSOR%") {{ totalCount {PAGE_INFO}
              edges {{ cursor node {{ slug }} }} }}
            before: events(last: 2, before: "%PARTICIPANT_EVENTS_CURSOR%") {{ {PAGE_INFO}
              nodes {{ slug }} }}
          }} }}
          events(first: 10) {{ nodes {{ slug
            statements(first: 1, after: "%EVENT_STATEMENTS_CURSOR%") {{ totalCount {PAGE_INFO} }}
          }} }}
        }}""",
    ),
]

CONNECTION_PARTS = {
    "totalCount": "totalCount",
    "pageInfo": PAGE_INFO,
    "edges": "edges { cursor node { id } }",
    "nodes": "nodes { id }",
}
PART_COMBINATIONS = [
    Case(
        f"connection parts: {' '.join(chosen)}",
        f"""{{ events(first: 2) {{ {parts} }} tail: events(last: 2) {{ {parts} }}
          event(slug: "%EVENT%") {{ statements(first: 2) {{ {parts} }}
            tail: statements(last: 2) {{ {parts} }} }} }}""",
    )
    for size in range(1, len(CONNECTION_PARTS) + 1)
    for chosen in itertools.combinations(CONNECTION_PARTS, size)
    for parts in [" ".join(CONNECTION_PARTS[part] for part in chosen)]
]
"""Every combination of the parts of a connection, root and nested, forward and backward."""

SEARCH = [
    Case(
        "search everything",
        """{ search(query: "Poutine") {
          __typename
          ... on Event { id slug title }
          ... on Statement { id text }
          ... on Participant { id slug name }
          ... on Treaty { id slug name }
          ... on Topic { id slug label }
        } }""",
    ),
    Case(
        "search by type",
        """{
          events: search(query: "Chine", types: [EVENT]) { ... on Event { slug } }
          statements: search(query: "Chine", types: [STATEMENT], first: 3) {
            ... on Statement { id } }
          people: search(query: "xi", types: [PARTICIPANT]) { ... on Participant { slug } }
          treaties: search(query: "start", types: [TREATY]) { ... on Treaty { slug } }
          topics: search(query: "nucl", types: [TOPIC]) { ... on Topic { slug } }
        }""",
    ),
    Case(
        "search with empty and null types",
        """{
          none: search(query: "Chine", types: []) { __typename }
          both: search(query: "Chine", types: [STATEMENT, EVENT]) {
            __typename ... on Event { slug } ... on Statement { id } }
          nullTypes: search(query: "Chine", types: null) { __typename }
        }""",
    ),
    Case(
        "search sizes",
        """{
          zero: search(query: "Chine", first: 0) { __typename }
          one: search(query: "Chine", first: 1) { __typename }
          most: search(query: "a", first: 100) { __typename ... on Node { id } }
          default: search(query: "Russie", first: null) { __typename }
        }""",
    ),
    Case(
        "search through an interface fragment",
        """{ search(query: "Russie", first: 10) {
          ... on Node { id }
          ... on Event { startDate }
          ...Named
        } }
        fragment Named on Participant { slug names { value } }""",
    ),
    Case(
        "search from variables",
        """query ($q: String!, $types: [SearchType!], $first: Int) {
          search(query: $q, types: $types, first: $first) { __typename ... on Topic { slug } }
        }""",
        {"q": "relations", "types": ["TOPIC", "EVENT"], "first": 5},
    ),
    Case(
        "search matching nothing",
        '{ search(query: "zzzzqqqxx") { __typename } }',
    ),
    Case(
        "search for sources, which only a search naming them finds",
        """{ search(query: "Euronews", types: [SOURCE, EVENT]) {
          __typename ... on Source { slug publisher }
        } }""",
    ),
]

COUNTS = [
    Case(
        "event counts by every dimension",
        """{
          year: eventCounts(groupBy: YEAR) { key label count }
          month: eventCounts(groupBy: MONTH) { key label count }
          kind: eventCounts(groupBy: KIND) { key label count }
          format: eventCounts(groupBy: FORMAT) { key label count }
          status: eventCounts(groupBy: STATUS) { key label count }
          topic: eventCounts(groupBy: TOPIC) { key label count }
          participant: eventCounts(groupBy: PARTICIPANT) { key label count }
          country: eventCounts(groupBy: COUNTRY) { __typename key label count }
        }""",
    ),
    Case(
        "filtered event counts",
        """query ($by: EventGroupBy!, $f: EventFilter) {
          eventCounts(groupBy: $by, filter: $f) { count key }
          none: eventCounts(groupBy: KIND, filter: {slug: {eq: "nothing"}}) { key }
          searched: eventCounts(groupBy: YEAR, filter: {search: "Chine"}) { key count }
        }""",
        {"by": "TOPIC", "f": {"participants": {"some": {"slug": {"eq": "%PARTICIPANT%"}}}}},
    ),
]

SELECTION = [
    Case(
        "aliases, the same field with different arguments",
        """{ e: event(slug: "%EVENT%") {
          a: title b: title
          en: topics { l: label } fr: topics { l: label(language: "fr") }
          first: statements(first: 1) { nodes { id } }
          second: statements(first: 2) { nodes { id } }
          byKind: statements(filter: {kind: {eq: PARAPHRASE}}) { totalCount }
          id
        }
        again: event(slug: "%EVENT%") { slug } }""",
    ),
    Case(
        "merged fields and sub-selections",
        """{ event(slug: "%EVENT%") { title statements(first: 2) { nodes { id } }
          statements(first: 2) { totalCount nodes { text } } title
          ... on Event { statements(first: 2) { pageInfo { endCursor } nodes { kind } } }
        } }""",
    ),
    Case(
        "named and inline fragments, nested",
        """query Fragments {
          event(slug: "%EVENT%") { ...EventCard ... on Event { ... on Event { summary } } }
          node(id: "%STATEMENT_ID%") { ...StatementCard }
        }
        fragment EventCard on Event {
          __typename slug
          participants { ...Participation }
          ... { startDate }
        }
        fragment Participation on EventParticipation { role participant { ...Person } }
        fragment Person on Participant { __typename slug ... on Node { id } }
        fragment StatementCard on Node {
          id
          ... on Statement { text speaker { ...Person } event { ...EventCard } }
        }""",
        operation_name="Fragments",
    ),
    Case(
        "fragments on the union and the interface",
        """{ search(query: "Chine", first: 15) {
          ...Result
        } }
        fragment Result on SearchResult {
          __typename
          ... on Node { id }
          ... on Event { ...OnEvent }
          ... on Statement { kind }
        }
        fragment OnEvent on Event { slug ... on Node { __typename } }""",
    ),
    Case(
        "a union's fragment inside the interface",
        """query ($ids: [ID!]!) {
          nodes(ids: $ids) { id ... on SearchResult { __typename ...Found } }
          source: node(id: "%SOURCE_ID%") { id ...Found ... on SearchResult { __typename } }
        }
        fragment Found on SearchResult { ... on Event { slug } ... on Topic { label } }""",
        {"ids": ["%EVENT_ID%", "%SOURCE_ID%", "%TOPIC_ID%", "%STATEMENT_ID%"]},
    ),
    Case(
        "a fragment that does not apply",
        """{ node(id: "%EVENT_ID%") { ... on Topic { slug } ... on Source { url } } }""",
    ),
    Case(
        "typename everywhere",
        """{ __typename event(slug: "%EVENT%") { __typename
          location { __typename } participants { __typename participant { __typename } }
          statements(first: 1) { __typename edges { __typename node { __typename } }
            pageInfo { __typename } nodes { __typename speaker { __typename } } }
          topics { __typename } relatedEvents { __typename event { __typename } }
        }
        treaty(slug: "%TREATY%") { __typename names { __typename } milestones { __typename } }
        participant(slug: "%PARTICIPANT%") { __typename roles { __typename } }
        eventCounts(groupBy: YEAR) { __typename }
        rateLimit { __typename }
        alias: __typename }""",
    ),
    Case(
        "skip and include with literals",
        """{ event(slug: "%EVENT%") {
          a: title @include(if: true) b: title @include(if: false)
          c: slug @skip(if: true) d: slug @skip(if: false)
          e: summary @skip(if: false) @include(if: false)
          ... on Event @include(if: false) { kind }
          ... on Event @skip(if: false) { format }
          ...Extra @skip(if: true)
          statements(first: 1) @include(if: true) { totalCount @skip(if: true) nodes { id } }
        } }
        fragment Extra on Event { status }""",
    ),
    Case(
        "skip and include with variables",
        """query ($yes: Boolean!, $no: Boolean!, $maybe: Boolean = true) {
          event(slug: "%EVENT%") {
            a: title @include(if: $yes) b: title @include(if: $no)
            c: slug @skip(if: $yes) d: slug @skip(if: $no)
            ...Extra @include(if: $yes)
            ... @skip(if: $yes) { kind }
            statements(first: 2) @include(if: $maybe) { totalCount }
          }
          rateLimit @skip(if: $no) { cost }
        }
        fragment Extra on Event { status topics @include(if: $no) { slug } }""",
        {"yes": True, "no": False},
    ),
    Case(
        "the same field skipped in one place and included in another",
        """query ($on: Boolean!) { event(slug: "%EVENT%") {
          title @include(if: $on) title @skip(if: $on) slug
        } }""",
        {"on": False},
    ),
    Case(
        "the same query, the conditions the other way",
        """query ($yes: Boolean!, $no: Boolean!, $maybe: Boolean = true) {
          event(slug: "%EVENT%") {
            a: title @include(if: $yes) b: title @include(if: $no)
            c: slug @skip(if: $yes) d: slug @skip(if: $no)
            ...Extra @include(if: $yes)
            ... @skip(if: $yes) { kind }
            statements(first: 2) @include(if: $maybe) { totalCount }
          }
          rateLimit @skip(if: $no) { cost }
        }
        fragment Extra on Event { status topics @include(if: $no) { slug } }""",
        {"yes": False, "no": True, "maybe": False},
    ),
    Case(
        "a null condition that @skip makes moot",
        """query ($maybe: Boolean = true) { event(slug: "%EVENT%") {
          slug title @skip(if: true) @include(if: $maybe) } }""",
        {"maybe": None},
    ),
    Case(
        "fragments on the query type",
        """{ ...Root ... on Query { rateLimit { cost } } ... { __typename } }
        fragment Root on Query { rateLimit { limit } treaties { totalCount } }""",
    ),
    Case(
        "ids given as numbers",
        "{ node(id: 5) { id } nodes(ids: 7) { id } event(id: 12) { id } }",
    ),
    Case(
        "a field skipped whole",
        """{ event(slug: "%EVENT%") @skip(if: true) { id } rateLimit { limit } }""",
    ),
    Case(
        "several operations",
        """query One { event(slug: "%EVENT%") { slug } }
        query Two { treaties { totalCount } }""",
        operation_name="Two",
    ),
    Case(
        "variables with defaults",
        """query ($slug: String = "%EVENT%", $first: Int = 2, $kind: StatementKind = PARAPHRASE,
          $lang: String = "fr", $asOf: Date = "2020-01-01", $role: ParticipationRole = HOST) {
          event(slug: $slug) {
            statements(first: $first, filter: {kind: {eq: $kind}}) { nodes { id kind } }
            participants(role: $role) { role participant { name(language: $lang) } }
            treaties { status(asOf: $asOf) }
          }
        }""",
    ),
    Case(
        "variables overriding defaults, and null",
        """query ($slug: String = "nothing", $first: Int = 2, $lang: String = "fr") {
          event(slug: $slug) { statements(first: $first) { nodes { id } }
            topics { label(language: $lang) } }
        }""",
        {"slug": "%EVENT%", "first": None, "lang": None},
    ),
    Case(
        "enum and date arguments from variables",
        """query ($kind: EventRelationKind, $role: ParticipationRole, $asOf: Date!,
          $by: EventGroupBy!, $types: [SearchType!]!) {
          event(slug: "%EVENT%") { relatedEvents(kind: $kind) { kind }
            participants(role: $role) { role } }
          treaties { nodes { status(asOf: $asOf) } }
          eventCounts(groupBy: $by) { key }
          search(query: "Chine", types: $types) { __typename }
        }""",
        {"kind": "FOLLOWS", "role": None, "asOf": "2026-02-05", "by": "MONTH", "types": "EVENT"},
    ),
    Case(
        "texts that need escaping",
        """{ a: events(filter: {title: {contains: "\\"quoted\\" \\\\ back\\u00e9"}}) { totalCount }
          b: participants(filter: {name: {eq: "习近平"}}) { nodes { slug name(language: "zh") } }
          c: search(query: "Пу\\u0442ин") { __typename }
          d: event(slug: "é\\t\\n") { id } }""",
    ),
    Case(
        "the default page and the query type",
        """query Default { events { edges { cursor } pageInfo { hasNextPage } } }""",
    ),
    Case(
        "many members on one object",
        """{ event(slug: "%EVENT%") {
          a1: id a2: id a3: id a4: id a5: id a6: id a7: id a8: id a9: id a10: id
          slug title summary kind format status startDate endDate datePrecision startsAt
          durationMinutes createdAt updatedAt location { name } topics { slug }
        } }""",
    ),
]

NESTING = [
    Case(
        "lists and pages under related events",
        """{ event(slug: "%EVENT%") { relatedEvents { kind event { slug
          participants { role participant { slug name(language: "fr") country { slug } } }
          statements(first: 2) { totalCount pageInfo { hasNextPage endCursor }
            nodes { id speaker { slug } } }
          topics { slug parent { slug } } location { name country { slug } }
          relatedEvents { kind event { slug } }
        } } } }""",
    ),
    Case(
        "lists and pages under search results",
        """{ search(query: "Chine", first: 30) {
          ... on Event { slug participants { role } statements(first: 2) { totalCount
            edges { cursor node { id } } } topics { slug } location { name } }
          ... on Statement { id speaker { slug name } topics { slug } event { slug } }
          ... on Participant { slug names { value } events(first: 2) { totalCount }
            roles { title } country { slug } }
          ... on Treaty { slug status milestones { kind } parties { slug } }
          ... on Topic { slug children { slug } events(last: 1) { totalCount } }
        } }""",
    ),
    Case(
        "lists and pages under nodes",
        """query ($ids: [ID!]!) { nodes(ids: $ids) {
          ... on Event { slug statements(last: 2) { totalCount nodes { id topics { slug } } } }
          ... on Participant { events(first: 1) { edges { cursor node { slug topics { slug } } } } }
          ... on Treaty { events { totalCount } statements(first: 1) { nodes { text } } }
          ... on Topic { statements(first: 1) { nodes { id } } parent { children { slug } } }
          ... on Source { reported: events { slug sources { slug } } statements(first: 1) {
            totalCount } }
        } }""",
        {
            "ids": [
                "%EVENT_ID%",
                "%PARTICIPANT_ID%",
                "%TREATY_ID%",
                "%TOPIC_ID%",
                "%SOURCE_ID%",
                "%COUNTRY_ID%",
            ]
        },
    ),
    Case(
        "pages under pages under pages",
        """{ topics(first: 3) { nodes { slug
          events(first: 2) { totalCount nodes { slug
            statements(first: 2, orderBy: [{field: SAID_ON, direction: DESC}]) { totalCount
              edges { cursor node { id speaker { events(first: 1) { totalCount } } } } }
          } }
        } } }""",
    ),
    Case(
        "references under references",
        """{ statements(first: 5) { nodes {
          speaker { country { country { slug } names { value } } roles { organization {
            country { slug } } } }
          event { location { country { name(language: "ru") treaties { slug status } } } }
          source { events { slug treaties { slug } } }
        } } }""",
    ),
]

SAME_TEXT = """query ($filter: StatementFilter, $first: Int, $last: Int, $after: String,
  $before: String, $lang: String, $order: [StatementOrder!], $withText: Boolean!) {
  event(slug: "%EVENT%") {
    statements(filter: $filter, first: $first, last: $last, after: $after, before: $before,
      orderBy: $order) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { id text @include(if: $withText) speaker { name(language: $lang) } }
    }
  }
}"""

SAME_TEXT_VARIABLES: list[dict[str, Any]] = [
    {},
    {"first": 3, "lang": "fr"},
    {"first": 3, "after": "%EVENT_STATEMENTS_CURSOR%"},
    {"last": 2, "before": "%EVENT_STATEMENTS_CURSOR%", "lang": "ru"},
    {"filter": {"kind": {"eq": "DIRECT_QUOTE"}}, "first": 5},
    {"filter": {"search": "Chine"}, "first": 2},
    {"filter": {"search": "Russie"}, "order": [{"field": "SAID_ON"}]},
    {"filter": {"or": [{"kind": {"eq": "PARAPHRASE"}}, {"language": {"eq": "en"}}]}},
    {"order": [{"field": "UPDATED_AT", "direction": "DESC"}], "last": 4},
    {"filter": {"speaker": {"slug": {"eq": "%PARTICIPANT%"}}}, "lang": None},
    {},
]

VARIABLES = [
    Case(f"one text, variables {number}", SAME_TEXT, {"withText": number % 2 == 0, **variables})
    for number, variables in enumerate(SAME_TEXT_VARIABLES)
]
"""One text whose variables change the shape of its statement from one request to the next."""

FEED_CHANGE = """cursor op type nodeId version changedAt actor
  fields { __typename name before after }"""
FEED_NODE = """node {
  __typename id
  ... on Event { slug title }
  ... on Statement { text speaker { slug } }
  ... on Participant { slug name }
  ... on Treaty { slug name }
  ... on Topic { slug label }
  ... on Source { url }
}"""
FEED = [
    Case(
        "the change feed from its beginning, every field",
        f"""{{ changes(first: 7) {{
          __typename
          nodes {{ __typename {FEED_CHANGE} {FEED_NODE} }}
          edges {{ __typename cursor node {{ cursor op nodeId }} }}
          pageInfo {{ __typename hasNextPage hasPreviousPage startCursor endCursor }}
        }} }}""",
    ),
    Case(
        "the change feed after a cursor, of some types, aliased",
        f"""{{ later: changes(after: "%CHANGES_CURSOR%", types: [EVENT, STATEMENT], first: 4) {{
          items: nodes {{ position: cursor {FEED_CHANGE} {FEED_NODE} }}
          info: pageInfo {{ more: hasNextPage end: endCursor start: startCursor }}
        }}
        all: changes(after: "%CHANGES_CURSOR%") {{ nodes {{ cursor }} pageInfo {{ endCursor }} }}
        }}""",
    ),
    Case(
        "the change feed after an export's cursor (its snapshot hides, then drops out)",
        """{ changes(after: "%CHANGES_SNAPSHOT_CURSOR%", first: 6) {
          edges { cursor node { op nodeId version } }
          pageInfo { hasNextPage startCursor endCursor }
        } }""",
    ),
    Case(
        "empty pages of the change feed: no type, first 0, nothing past the cursor",
        """{ none: changes(types: []) { nodes { cursor } pageInfo { hasNextPage endCursor } }
        noneAfter: changes(after: "%CHANGES_CURSOR%", types: []) {
          nodes { cursor } pageInfo { hasNextPage startCursor endCursor } }
        noneAfterExport: changes(after: "%CHANGES_SNAPSHOT_CURSOR%", types: []) {
          pageInfo { endCursor } }
        zero: changes(first: 0) { edges { cursor } pageInfo { hasNextPage endCursor } }
        zeroAfter: changes(after: "%CHANGES_CURSOR%", first: 0) {
          pageInfo { hasNextPage endCursor } }
        beyond: changes(after: "%CHANGES_BEYOND_CURSOR%") {
          nodes { op } pageInfo { hasNextPage startCursor endCursor } }
        beyondExport: changes(after: "%CHANGES_BEYOND_SNAPSHOT_CURSOR%", types: [TOPIC]) {
          pageInfo { endCursor } }
        }""",
    ),
    Case(
        "the change feed with the rest of a query, a page of 100",
        """{ event(slug: "%EVENT%") { slug }
        changes(first: 100, types: [SOURCE, TOPIC, TREATY, PARTICIPANT]) {
          nodes { type nodeId fields { name after } node { id } }
          pageInfo { hasNextPage endCursor }
        } }""",
    ),
]

CLAIM = """field item value qualifier chosen independentSourceCount
  sources { slug kind } citations { source { slug } wording asOf attributedTo { slug } note }"""
SOURCE_LINKS = """slug kind note reprintOf { slug } origin { slug publisher }
  reprints { slug } basedOn { slug kind }"""
MANY_SOURCES = [
    Case(
        "events with their sources, claims and disputes",
        f"""{{ events(first: 50) {{ nodes {{ slug commitment independentSourceCount
          disputedFields sources {{ {SOURCE_LINKS} }}
          claims {{ {CLAIM} }}
          durations: claims(field: "durationMinutes") {{ value qualifier chosen }}
          unknown: claims(field: "noSuchField") {{ value }}
          participants {{ role participant {{ slug }} sources {{ slug language }} }}
        }} }} }}""",
    ),
    Case(
        "statements with their renderings, sources, links and claims",
        """{ statements(first: 40) { nodes { id translation distortion independentSourceCount
          disputedFields sources { slug language origin { slug } }
          renderings { text language kind translation distortion main source { slug } }
          russian: renderings(language: "ru") { text main }
          chinese: renderings(language: "zh") { language }
          traditional: renderings(language: "ZH-hant") { language }
          french: renderings(language: "fr") { language main }
          mayBeSameAs { id text }
          claims { field item value chosen sources { slug } }
          speakers: claims(field: "speaker") { value citations { wording } }
        } } }""",
    ),
    Case(
        "treaties and participants with their claims",
        f"""{{ treaties {{ nodes {{ slug disputedFields claims {{ {CLAIM} }}
            expiry: claims(field: "milestones") {{ item value chosen }}
            milestones {{ kind date sources {{ slug }} }} }} }}
          participants(first: 40) {{ nodes {{ slug disputedFields
            claims {{ field item value chosen independentSourceCount }}
            roleClaims: claims(field: "roles") {{ item sources {{ slug }} }}
            roles {{ title sources {{ slug publishedAt }} }} }} }} }}""",
    ),
    Case(
        "sources with their copies and bases",
        f"""{{ sources(first: 60) {{ nodes {{ {SOURCE_LINKS}
          reprints {{ {SOURCE_LINKS} }} }} }} }}""",
    ),
    Case(
        "filters on sources and their independence",
        """{
          bySource: events(filter: {sources: {some: {kind: {eq: REPORT}}}}) {
            totalCount nodes { slug } }
          noWire: events(filter: {sources: {every: {kind: {in: [REPORT, OFFICIAL]}}}}) {
            totalCount }
          noneCopied: events(filter: {sources: {none: {reprintOf: {}}}}) { totalCount }
          confirmed: events(filter: {independentSources: {gte: 2}}) { totalCount nodes {
            slug independentSourceCount } }
          single: events(filter: {independentSources: {lt: 2}}) { totalCount }
          disputed: events(filter: {disputed: true}) { totalCount nodes { slug disputedFields } }
          undisputed: events(filter: {disputed: false}) { totalCount }
          quoted: statements(filter: {sources: {some: {language: {eq: "ru"}}}}) { totalCount }
          wired: statements(filter: {sources: {some: {kind: {eq: WIRE_STORY}}}}) { totalCount }
          inChinese: statements(filter: {renderingLanguage: {startsWith: "zh"}}) {
            totalCount nodes { id } }
          inFrench: statements(filter: {renderingLanguage: {eq: "fr"}}) { totalCount }
          notEnglish: statements(filter: {renderingLanguage: {ne: "en"}}) { totalCount }
          widely: statements(filter: {independentSources: {gte: 3}}) { totalCount nodes {
            independentSourceCount } }
          wires: sources(filter: {kind: {eq: WIRE_STORY}}) { totalCount nodes { slug reprints {
            slug } } }
          primary: sources(filter: {kind: {in: [OFFICIAL]}}) { totalCount }
        }""",
    ),
    Case(
        "sources by kind and by what they reprint",
        """{
          notReports: sources(filter: {not: {kind: {eq: REPORT}}}) { totalCount }
          copies: sources(filter: {reprintOf: {kind: {eq: WIRE_STORY}}}) { totalCount nodes {
            slug } }
        }""",
    ),
    Case(
        "events by the sources of their statements",
        """{ events(filter: {statements: {some: {sources: {some: {kind: {eq: REPORT}}},
          independentSources: {gte: 1}, renderingLanguage: {isNull: false}}}}) {
          totalCount nodes { slug } } }""",
    ),
]

CASES: list[Case] = [
    *LOOKUPS,
    *NODES,
    *LISTS,
    *FILTERS,
    *ORDERING,
    *PAGINATION,
    *PART_COMBINATIONS,
    *SEARCH,
    *COUNTS,
    *SELECTION,
    *NESTING,
    *VARIABLES,
    *FEED,
    *MANY_SOURCES,
]
"""Requests that must succeed, every one of them answered by the compiled path."""

ERROR_CASES: list[Case] = [
    # Histories are read by Strawberry alone (the compiled path declines them): the corpus
    # exercises them through requests that fail; tests/feed checks answers.
    Case(
        "a change feed cursor that is not one",
        """{ changes(after: "%EVENTS_CURSOR%", types: [EVENT, SOURCE], first: 2) {
          nodes { cursor op type nodeId version changedAt actor
                  fields { name before after } node { id } }
          edges { cursor node { cursor } }
          pageInfo { hasNextPage endCursor }
        } }""",
    ),
    Case(
        "a history cursor that is not one",
        """{ node(id: "%EVENT_ID%") {
          history(first: 1, after: "not a cursor") { nodes { op } }
          ... on Event { event: history(first: 1, after: "not a cursor") { nodes { op } } }
          ... on Statement { statement: history(first: 1, after: "x") { nodes { op } } }
          ... on Participant { participant: history(first: 1, after: "x") { nodes { op } } }
          ... on Treaty { treaty: history(first: 1, after: "x") { nodes { op } } }
          ... on Topic { topic: history(first: 1, after: "x") { nodes { op } } }
          ... on Source { source: history(first: 1, after: "x") { nodes { op } } }
        } }""",
    ),
    Case("a malformed cursor", '{ events(after: "not a cursor") { totalCount } }'),
    Case("a cursor that is not JSON", '{ events(after: "bm90IGpzb24") { totalCount } }'),
    Case(
        "a cursor of another connection",
        '{ statements(after: "%EVENTS_CURSOR%") { totalCount } }',
    ),
    Case(
        "a cursor of another ordering",
        '{ events(orderBy: [{field: TITLE}], before: "%EVENTS_CURSOR%") { totalCount } }',
    ),
    Case(
        "a root cursor in a nested connection",
        """{ participant(slug: "%PARTICIPANT%") {
          events(after: "%EVENTS_CURSOR%") { totalCount } } }""",
    ),
    Case("first: 1000", "{ events(first: 1000) { totalCount } }"),
    Case("last: 101", "{ events(last: 101) { nodes { id } } }"),
    Case("first and last", "{ events(first: 1, last: 1) { totalCount } }"),
    Case("negative first", "{ events(first: -1) { totalCount } }"),
    Case("negative last", "{ events(last: -5) { totalCount } }"),
    Case(
        "a bad page size nested",
        '{ event(slug: "%EVENT%") { title statements(first: 500) { totalCount } } }',
    ),
    Case(
        "a bad page beside good fields",
        """{ rateLimit { cost } events(first: 2) { totalCount }
          bad: statements(first: -1) { totalCount } }""",
    ),
    Case("an unknown enum value", "{ events(filter: {kind: {eq: PARTY}}) { totalCount } }"),
    Case(
        "an unknown enum value in a variable",
        "query ($k: EventKind) { events(filter: {kind: {eq: $k}}) { totalCount } }",
        {"k": "PARTY"},
    ),
    Case(
        "a variable of the wrong type",
        "query ($first: Int) { events(first: $first) { totalCount } }",
        {"first": "two"},
    ),
    Case(
        "a missing required variable",
        "query ($slug: String!) { event(slug: $slug) { id } }",
    ),
    Case(
        "a malformed date variable",
        'query ($d: Date!) { treaty(slug: "%TREATY%") { status(asOf: $d) } }',
        {"d": "04/02/2026"},
    ),
    Case(
        "a date-time without offset",
        "query ($t: DateTime) { events(filter: {updatedAt: {gt: $t}}) { totalCount } }",
        {"t": "2026-02-04T10:00:00"},
    ),
    Case(
        "a malformed date literal",
        '{ events(filter: {startDate: {eq: "2026-13-01"}}) { totalCount } }',
    ),
    Case(
        "a filter that is not an object",
        "query ($f: EventFilter) { events(filter: $f) { totalCount } }",
        {"f": "everything"},
    ),
    Case("a NUL byte in a string", '{ event(slug: "a\\u0000b") { id } }'),
    Case(
        "search text over its limit",
        "query ($q: String!) { search(query: $q) { __typename } }",
        {"q": "x" * 501},
    ),
    Case(
        "a contains operand over its limit",
        f'{{ events(filter: {{title: {{contains: "{"y" * 1_001}"}}}}) {{ totalCount }} }}',
    ),
    Case(
        "an in list over its limit, nested",
        """query ($slugs: [String!]) { event(slug: "%EVENT%") {
          statements(filter: {speaker: {slug: {in: $slugs}}}) { totalCount } } }""",
        {"slugs": [f"s{n}" for n in range(101)]},
    ),
    Case("a cursor over its limit", f'{{ events(after: "{"c" * 8_193}") {{ totalCount }} }}'),
    Case(
        "a NUL byte in a variable",
        "query ($s: String!) { events(filter: {title: {contains: $s}}) { totalCount } }",
        {"s": "a\x00b"},
    ),
    Case(
        "a lone surrogate in a string",
        '{ events(filter: {title: {eq: "\\ud800"}}) { totalCount } }',
    ),
    Case(
        "a raw lone surrogate in a string",
        '{ events(filter: {title: {eq: "x\ud800"}}) { totalCount } }',
    ),
    Case(
        "a lone surrogate in a variable",
        "query ($s: String!) { search(query: $s) { __typename } }",
        {"s": "x\ud800"},
    ),
    Case(
        "a null @include condition",
        """query ($maybe: Boolean = true) { event(slug: "%EVENT%") {
          slug title @include(if: $maybe) } }""",
        {"maybe": None},
    ),
    Case(
        "a null @skip condition at the root",
        "query ($maybe: Boolean = false) { rateLimit @skip(if: $maybe) { cost } }",
        {"maybe": None},
    ),
    Case(
        "a null @skip condition in a fragment",
        """query ($maybe: Boolean = false) { ...Root }
        fragment Root on Query { treaties { totalCount @skip(if: $maybe) } }""",
        {"maybe": None},
    ),
    Case(
        "a null required argument through a variable with a default",
        'query ($id: ID = "%EVENT_ID%") { rateLimit { cost } node(id: $id) { id } }',
        {"id": None},
    ),
    Case(
        "a NUL byte in a language",
        '{ participant(slug: "%PARTICIPANT%") { slug name(language: "fr-\\u0000") } }',
    ),
    Case(
        "a lone surrogate in a language",
        "query ($l: String) { topics(first: 2) { nodes { label(language: $l) } } }",
        {"l": "fr-\ud800"},
    ),
    Case(
        "an instant before the year 1 in UTC",
        '{ events(filter: {updatedAt: {gt: "0001-01-01T00:00:00+14:00"}}) { totalCount } }',
    ),
    Case(
        "an instant after the year 9999 in UTC",
        """query ($t: DateTime!) { rateLimit { cost }
          sources(filter: {publishedAt: {lte: $t}}) { totalCount } }""",
        {"t": "9999-12-31T23:59:59-14:00"},
    ),
    Case(
        "a cursor holding a position beyond 32 bits",
        """{ event(slug: "%EVENT%") { slug
          statements(after: "%HUGE_POSITION_CURSOR%") { totalCount } } }""",
    ),
    Case(
        "a cursor holding an instant before the year 1",
        '{ events(orderBy: [{field: UPDATED_AT}], after: "%YEAR_ZERO_CURSOR%") { totalCount } }',
    ),
    Case("neither id nor slug", "{ event { id } }"),
    Case("null id and slug", "{ participant(id: null, slug: null) { id } }"),
    Case(
        "neither id nor slug, from variables",
        "query ($id: ID, $slug: String) { treaty(id: $id, slug: $slug) { id } topic { id } }",
        {"id": None},
    ),
    Case(
        "relevance without search",
        "{ events(orderBy: [{field: RELEVANCE, direction: DESC}]) { totalCount } }",
    ),
    Case(
        "relevance with a nested search only",
        """{ statements(filter: {or: [{search: "Chine"}]},
          orderBy: [{field: RELEVANCE}]) { totalCount } }""",
    ),
    Case(
        "a duplicate order field",
        "{ events(orderBy: [{field: TITLE}, {field: TITLE, direction: DESC}]) { totalCount } }",
    ),
    Case("a blank search", '{ search(query: "   ") { __typename } }'),
    Case(
        "a search listing a type twice",
        '{ search(query: "Chine", types: [EVENT, EVENT, STATEMENT]) { __typename } }',
    ),
    Case(
        "a NUL byte in a search of no type",
        '{ search(query: "a\\u0000", types: []) { __typename } }',
    ),
    Case("an empty search", '{ search(query: "") { __typename } }'),
    Case("a blank search filter", '{ events(filter: {search: " "}) { totalCount } }'),
    Case("a search of 101", '{ search(query: "Chine", first: 101) { __typename } }'),
    Case("a negative search size", '{ search(query: "Chine", first: -1) { __typename } }'),
    Case("a malformed id in a filter", '{ events(filter: {id: {eq: "nope"}}) { totalCount } }'),
    Case(
        "a malformed id in a nested filter",
        '{ statements(filter: {speaker: {id: {in: ["%EVENT_ID%", "nope"]}}}) { totalCount } }',
    ),
    Case("a parse error", "{ events { totalCount }"),
    Case("an unknown field", "{ events { total } }"),
    Case("an unknown operation", "query A { rateLimit { cost } }", operation_name="B"),
    Case(
        "no operation named among several",
        "query A { rateLimit { cost } } query B { rateLimit { limit } }",
    ),
    Case("a mutation", "mutation { rateLimit { cost } }"),
    Case(
        "too deep",
        '{ event(slug: "x") { location { ' + "country { " * 10 + "id" + " }" * 12 + " }",
    ),
    Case(
        "too costly",
        "{ events(first: 100) { nodes { statements(first: 100) { nodes { topics { slug } } } } } }",
    ),
    Case(
        "an error beside data",
        '{ a: event(slug: "%EVENT%") { slug } b: event { slug } }',
    ),
]
"""Requests that fail: the compiled path declines them all."""

INTROSPECTION_CASES: list[Case] = [
    Case("introspection", "{ __schema { queryType { name } } }"),
    Case("introspection of a type", '{ __type(name: "Event") { name fields { name } } }'),
    Case(
        "introspection beside data",
        '{ __type(name: "Node") { possibleTypes { name } } event(slug: "%EVENT%") { slug } }',
    ),
]
"""Requests the compiled path leaves to Strawberry without an error."""


@dataclass(frozen=True)
class Walk:
    """A connection walked page by page, each page from the cursor of the page before:
    `field` is its path, with the arguments `{page}` stands for (and closing braces to add)."""

    name: str
    field: str

    def case(self, *, forward: bool, cursor: str | None) -> Case:
        variable = "after" if forward else "before"
        size = "first" if forward else "last"
        page = f"{size}: $size, {variable}: ${variable}"
        field = self.field.replace("{page}", page)
        closing = " }" * (field.count("{") - field.count("}"))
        query = (
            f"query (${variable}: String, $size: Int!) {{ {field} {{ totalCount "
            f"{PAGE_INFO} edges {{ cursor node {{ __typename id }} }} }}{closing} }}"
        )
        direction = "forward" if forward else "backward"
        return Case(f"{self.name}, {direction}", query, {"size": 3, variable: cursor})


WALKS = [
    Walk("events", "events({page})"),
    Walk("events by title", "events({page}, orderBy: [{field: TITLE}])"),
    Walk("events found", 'events({page}, filter: {search: "Chine"})'),
    Walk("statements", "statements({page})"),
    Walk("statements by day", "statements({page}, orderBy: [{field: SAID_ON}])"),
    Walk(
        "statements by position, then day",
        "statements({page}, orderBy: [{field: POSITION, direction: DESC}, {field: SAID_ON}])",
    ),
    Walk("statements found", 'statements({page}, filter: {search: "Russie"})'),
    Walk("participants", "participants({page})"),
    Walk(
        "participants updated",
        "participants({page}, orderBy: [{field: UPDATED_AT, direction: DESC}])",
    ),
    Walk("treaties", "treaties({page})"),
    Walk("treaties by expiry", "treaties({page}, orderBy: [{field: EXPIRES_ON, direction: DESC}])"),
    Walk("topics", "topics({page})"),
    Walk("sources", "sources({page})"),
    Walk("an event's statements", 'event(slug: "%EVENT%") { statements({page})'),
    Walk(
        "an event's statements by day",
        'event(slug: "%EVENT%") { statements({page}, orderBy: [{field: SAID_ON, direction: DESC}])',
    ),
    Walk("a participant's events", 'participant(slug: "%PARTICIPANT%") { events({page})'),
    Walk("a participant's statements", 'participant(slug: "%PARTICIPANT%") { statements({page})'),
    Walk(
        "a participant's statements found",
        'participant(slug: "%PARTICIPANT%") { statements({page}, filter: {search: "Chine"})',
    ),
    Walk(
        "a participant's events by relevance, then title",
        'participant(slug: "%PARTICIPANT%") { events({page}, filter: {search: "Russie"}, '
        "orderBy: [{field: RELEVANCE, direction: DESC}, {field: TITLE}])",
    ),
    Walk("a country's events", 'participant(slug: "%COUNTRY%") { events({page})'),
    Walk("a treaty's events", 'treaty(slug: "%TREATY%") { events({page})'),
    Walk("a treaty's statements", 'treaty(slug: "%TREATY%") { statements({page})'),
    Walk("a topic's events", 'topic(slug: "%TOPIC%") { events({page})'),
    Walk("a topic's statements", 'topic(slug: "%TOPIC%") { statements({page})'),
    Walk("a source's statements", 'source(id: "%SOURCE_ID%") { statements({page})'),
]
"""Every connection, root and nested, walked both ways."""
