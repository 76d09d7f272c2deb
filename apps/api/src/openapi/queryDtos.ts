import { HistoryQueryDto, ShowConversationQueryDto } from '../audit/auditQueryDtos';
import { ListChannelsDto } from '../channels/listChannelsDto';
import { ListCommMessagesDto } from '../commMessages/listCommMessagesDto';
import { ListMessagesDto, ListOperationsDto } from '../comms/listMessagesDto';
import { ListConversationsDto } from '../conversations/listConversationsDto';
import { SearchRecipientsDto } from '../search/searchRecipientsDto';

/**
 * Which class-validator class checks each operation's query string. Controllers often take the
 * raw query (Canvas bracket names need Rails-style parsing first), so Nest cannot see it.
 */
export const queryDtos: Readonly<Record<string, new () => object>> = {
  ConversationsController_list: ListConversationsDto,
  ConversationsController_show: ShowConversationQueryDto,
  AuditController_conversation: HistoryQueryDto,
  AuditController_user: HistoryQueryDto,
  ChannelsController_list: ListChannelsDto,
  SearchController_recipients: SearchRecipientsDto,
  SearchController_findRecipients: SearchRecipientsDto,
  CommMessagesController_list: ListCommMessagesDto,
  MessagesController_list: ListMessagesDto,
  MessagesController_listOperations: ListOperationsDto,
};
