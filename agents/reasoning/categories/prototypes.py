"""Prototype sentences of each category, which the offline engine compares utterances with in
embedding space.

They are generic sales-call sentences written for this purpose; none is taken from the labelled
scripts in ``agents/scripts/`` (the extractor is evaluated on those).
"""

from __future__ import annotations

from agents.reasoning.categories.names import (
    CLOSING,
    DISCOVERY_QUESTION,
    KEY_PHRASE,
    OBJECTION,
    OBJECTION_RESPONSE,
    OPENER,
    VALUE_STATEMENT,
)

# The buyer's sentences that are not objections, in three kinds (prototype classes, not categories).
BUYER_ANSWER = "buyer_answer"
BUYER_REQUEST = "buyer_request"
BUYER_AGREEMENT = "buyer_agreement"
BUYER_CONTRASTS: tuple[str, ...] = (BUYER_ANSWER, BUYER_REQUEST, BUYER_AGREEMENT)

PROTOTYPES: dict[str, tuple[str, ...]] = {
    OPENER: (
        "Hi, thanks for taking the time to talk with me today.",
        "Good afternoon, my name is Alex and I'm calling from Northwind.",
        "Thank you for joining, I really appreciate you fitting me into your schedule.",
        "Before we dive in, let me share what I'd like to cover in this call.",
        "The purpose of this call is to learn about your business and see if we are a fit.",
        "I'll ask a few questions first, then show you how we work, if that is okay.",
        "Hello, it's great to finally meet you.",
        "We'll keep this short and focused on your priorities.",
    ),
    DISCOVERY_QUESTION: (
        "How does your team handle this process today?",
        "What are the biggest challenges you face with your current setup?",
        "Can you tell me more about how that affects your customers?",
        "How many people work on this every week?",
        "What would success look like for you at the end of the year?",
        "Walk me through what happens when something goes wrong.",
        "What have you tried so far to fix it?",
        "Who else is involved when you make a decision like this?",
        "How much time does your team lose to this each month?",
    ),
    OBJECTION: (
        "That's too expensive for us right now.",
        "We don't have the budget for this this year.",
        "The timing isn't right, maybe come back next quarter.",
        "We're already working with another vendor and we're happy with them.",
        "I'm not sure this is a priority for us.",
        "I need to run this by my boss before I can commit.",
        "I'm worried about how long the implementation will take.",
        "Honestly, I don't think we really need this.",
        "Your competitor offered us a lower price.",
        "We tried something like this before and it didn't work.",
        "How much is this going to cost us every month?",
        "Our current supplier is a lot cheaper than that.",
        "I'd have to get the partners to agree before we change anything.",
        "The last vendor made big promises and did not deliver.",
        "Changing systems would be a huge disruption for my team.",
        "We signed a three year contract with our current provider.",
        "I'm not convinced the results would be the same for us.",
        # Objections phrased as conditions: the buyer names what must happen before a yes.
        "We would have to see it working with our current system first.",
        "Unless it connects to the software we already use, it is not going to work for us.",
        "It only makes sense for us if it works with the tools we already have.",
        "I would need to get sign off from our finance director before anything happens.",
        "We would need to see a pilot before we commit to anything.",
        # The people who would have to live with it.
        "My staff will hate it, they do not want one more thing to learn.",
        "People here will push back on anything that feels like being watched.",
        "We have been burned by vendors before.",
        "Our customers will not want that, they prefer to talk to a person.",
        "Privacy is a deal breaker for us.",
        # Doubts asked as questions: the buyer names a risk and waits for the seller to remove it.
        "What happens to our data if your company goes out of business?",
        "What happens if the system goes down in the middle of a busy day?",
        "How would we know the numbers it gives us are accurate?",
        "How would a small business like ours ever get the same results?",
        "Do you have any customers our size who really use it every day?",
        "Is this even allowed under the data protection rules we have to follow?",
        # Process, effort, need and timing, said without a price or a vendor.
        "Anything we buy has to go through a formal tender first.",
        "Rolling this out sounds like a lot of work for everyone.",
        "We do not really have that problem here.",
        "If this goes wrong, I am the one who gets the blame.",
        "Let's pick this up again after the holidays.",
    ),
    # Not categories: what else a buyer says, the contrast that tells an objection from a buyer
    # who merely talks about prices or vendors (a plain answer), asks for something (a request)
    # or agrees. A buyer sentence is an objection only when it is closer to the objections than
    # to all three (extraction.scores.objection_score).
    BUYER_ANSWER: (
        "We have about fifty people on the team.",
        "Right now we do most of it by hand.",
        "We use a spreadsheet for that at the moment.",
        "Our main customers are in the food industry.",
        "It usually takes a couple of days.",
        "We had a rough quarter because of late orders.",
        "The sales team complains about it all the time.",
        "Each missed delivery costs us about fifty dollars.",
        "Our energy prices went up twenty percent last year.",
        "We lose about ten thousand dollars a year on mistakes like that.",
        "Our insurance premium went up after the accident.",
        "We pay around two percent on every card transaction.",
        # Facts about money, process and suppliers that resist nothing.
        "Our financial year starts in July.",
        "Our current supplier delivers twice a week.",
        "The accounting team closes the month in the first week.",
        "Our accountant mentioned a tax credit for this kind of equipment.",
        "Our office manager handles the software purchases.",
    ),
    BUYER_REQUEST: (
        "Could you send me your price list by email?",
        "Can you send me a short summary I can share with my team?",
        "A side by side comparison of the numbers would be useful.",
        "It would help to see a case study from a company like ours.",
        "It would help to see how it works with our system.",
        "Please send me the contract and the invoice details.",
        "I would like to see a demo with my team.",
        "Send me an invite for next week.",
        "It would be great to talk to one of your customers.",
        "Could you put that in writing for me?",
    ),
    BUYER_AGREEMENT: (
        "That sounds good to me.",
        "Yes, that would help.",
        "Fair enough, that makes sense.",
        "Okay, that is better than I expected.",
        "Great, let's do that.",
        "Thursday afternoon works for me.",
        "Next month would suit us better.",
        "That would save my team a lot of work.",
        "That would make a real difference for us.",
        # Agreement that names the price or the incumbent is still agreement.
        "The price looks fair for what we would get.",
        "Good, the budget for it is already approved.",
        "Our current provider never offered us anything like that.",
        "That is exactly right.",
        "I like that idea.",
        "I like it, the team has been asking for something like this.",
        "Sure, go ahead, I have a few minutes.",
    ),
    OBJECTION_RESPONSE: (
        "I completely understand, and many of our clients felt the same way at first.",
        "That's a fair concern, let me explain how we handle it.",
        "I hear you on the price, so let's look at the return you would get.",
        "That makes sense, and we can start small to reduce the risk.",
        "Good question, our team takes care of the whole setup for you.",
        "I understand the timing is tight, which is why we offer a phased rollout.",
    ),
    VALUE_STATEMENT: (
        "Our customers typically save ten hours a week per person.",
        "This reduces your costs by around twenty percent in the first year.",
        "You get everything in one place, so nothing falls through the cracks.",
        "It means your team can focus on selling instead of paperwork.",
        "Clients like you usually see a full return on investment within six months.",
        "The platform automates the manual work and cuts errors in half.",
        "That protects your revenue if something goes wrong.",
        "We include training and support at no extra cost.",
    ),
    CLOSING: (
        "What's the best next step from your side?",
        "Can we schedule a follow up meeting next week?",
        "I'll send over the proposal and a calendar invite today.",
        "Shall we set up a trial for your team starting Monday?",
        "If everything looks good, could we get the contract signed by the end of the month?",
        "Let's book a demo with your manager on Thursday.",
        "Thanks again for your time, I'll follow up by email.",
        "Does it make sense to move forward with a pilot?",
    ),
    KEY_PHRASE: (
        "So if I understand you correctly, the main issue is the time it takes.",
        "What I'm hearing is that your team is stretched too thin.",
        "In other words, the problem costs you customers every month.",
        "Let me summarize what you just told me.",
        "So the real challenge is not the people, it's the process.",
        "Just to check I understood, the delays are hurting your revenue.",
    ),
}
